import Agenda
import Foundation
import Logging
import OfficeKit
import ServiceLifecycle
import Store
import StructureConfig

/// Sends the notices usagers asked for (`NoticePlan` says which are owed), by e-mail through
/// the local MTA and by SMS through the configured gateway, every `checkSeconds`: each
/// attempt recorded before the program is called and its outcome after, so a restart or a
/// kill in between loses no notice (the one a program may have taken just before a kill goes
/// again, an e-mail with the same Message-ID) and a pass never sends one twice; a failed one is tried
/// again after 1, 2, 4… minutes (at most 6 hours), and given up after `maxAttempts` (the
/// console's today page lists it, for an agent to phone).
struct NoticeService: Service {
    let office: Office
    let settings: NoticeSettings
    let logger: Logger

    func run() async throws {
        let mailer = PipedCommand(command: settings.sendmail)
        var gateway: SMSGateway?
        if let sms = settings.sms {
            do {
                gateway = try SMSGateway(settings: sms)
            } catch {
                logger.error("notices: no SMS", metadata: ["guichet.error": "\(error)"])
            }
        }
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await sendDue(mailer: mailer, gateway: gateway)
            } catch {
                logger.error("notices: pass failed", metadata: ["guichet.error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(settings.checkSeconds)) }
        }
    }

    /// Notices handed over at once: an MTA or a gateway spends most of a message waiting on
    /// the network (msmtp relaying to an SMTP server: ~50 ms a message, 40 of them a delayed
    /// acknowledgement), so one after the other 1,000 reminders took 56 s.
    static let concurrency = 8

    func sendDue(mailer: PipedCommand, gateway: SMSGateway?) async throws {
        let lead = TimeInterval(settings.reminderHours * 3600)
        let channels: [NoticeChannel] = gateway == nil ? [.email] : [.email, .sms]
        let now = office.clock()
        var work: [(NoticeKind, Booking, NoticeChannel)] = []
        let candidates = try await office.database.noticeCandidates(now: now)
        let codes = try await office.database.selfBookingCodes(bookings: candidates.map(\.booking.id))
        let closures = candidates.isEmpty ? [] : try await office.database.closures(overlapping: TimeSpan(now, candidates.map(\.booking.span.end).max() ?? now))
            .filter { !$0.withdrawn }
        for (booking, notices) in candidates {
            let closed = closures.contains { $0.span.overlaps(booking.span) }
            for channel in channels {
                for kind in NoticePlan.due(booking, channel: channel, notices: notices, now: now, reminderLead: lead, closed: closed) {
                    work.append((kind, booking, channel))
                }
            }
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, (kind, booking, channel)) in work.enumerated() {
                if index >= Self.concurrency { try await group.next() }
                group.addTask {
                    try await send(kind, booking: booking, code: codes[booking.id], channel: channel) { message in
                        switch channel {
                        case .email: try await mailer.send(message.rendered())
                        case .sms: try await gateway?.send(phone: booking.usager?.phone ?? "", text: message.smsText)
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    private func send(
        _ kind: NoticeKind, booking: Booking, code: String?, channel: NoticeChannel, through deliver: @Sendable (NoticeMessage) async throws -> Void
    ) async throws {
        let key = NoticeKey(booking: booking.id, channel: channel, kind: kind, startsAt: booking.span.start)
        let now = office.clock()
        let attempt = try await office.database.beginNotice(key, now: now, retryAt: now.addingTimeInterval(Self.backoff(1)))
        let message = NoticeMessage(kind: kind, booking: booking, structure: office.structure, from: settings.from ?? office.structure.email, now: now, code: code)
        let metadata: Logger.Metadata = [
            "booking": "\(booking.id)", "guichet.notice": "\(kind.rawValue)", "guichet.channel": "\(channel.rawValue)", "guichet.attempt": "\(attempt)",
        ]
        do {
            try await deliver(message)
            try await office.database.noticeSent(key, now: office.clock())
            office.metrics.notice(channel: channel.rawValue, kind: kind.rawValue, outcome: "sent")
            logger.info("notice handed over", metadata: metadata)
        } catch {
            let giveUp = attempt >= settings.maxAttempts
            let retryAt = giveUp ? nil : office.clock().addingTimeInterval(Self.backoff(attempt + 1))
            try await office.database.noticeFailed(key, error: "\(error)", now: office.clock(), retryAt: retryAt)
            office.metrics.notice(channel: channel.rawValue, kind: kind.rawValue, outcome: giveUp ? "given-up" : "failed")
            logger.log(level: giveUp ? .error : .warning, giveUp ? "notice given up" : "notice not sent, tried again later", metadata: metadata.merging(["guichet.error": "\(error)"]) { $1 })
        }
    }

    /// Seconds before attempt `n` (2 and up) may run: 1, 2, 4… minutes, at most 6 hours. The
    /// first attempt's own value is how long a killed attempt waits before it is tried again.
    static func backoff(_ attempt: Int) -> TimeInterval {
        min(6 * 3600, 60 * pow(2, Double(max(0, attempt - 2))))
    }
}

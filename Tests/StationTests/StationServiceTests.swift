import Agenda
import Devices
import Foundation
import Station
import Synchronization
import Testing

/// Collects what the station records, as the database would.
final class RecordingRecorder: StationRecorder {
    let uses = Mutex<[StationUse]>([])
    let wipes = Mutex<[(WipeRecord, SessionEndReason)]>([])
    let alerts = Mutex<[String]>([])
    let helps = Mutex<[String?]>([])
    let closed = Mutex(0)

    func record(_ use: StationUse) async { uses.withLock { $0.append(use) } }
    func wiped(_ record: WipeRecord, station: String, reason: SessionEndReason) async { wipes.withLock { $0.append((record, reason)) } }
    func alert(station: String, message: String) async { alerts.withLock { $0.append(message) } }
    func help(station: String, session: String?) async { helps.withLock { $0.append(session) } }
    func closeUnfinished(station: String, at: Date) async { closed.withLock { $0 += 1 } }
}

/// A test double for a spooler that cannot be reached: the wipe cannot verify the jobs.
struct UnreachablePrinter: Printer {
    func queues() throws(PrinterError) -> [PrintQueue] { throw .server("down") }
    func submit(file: URL, queue: String, title: String) throws(PrinterError) -> PrintJob { throw .server("down") }
    func jobs(queue: String?, activeOnly: Bool) throws(PrinterError) -> [PrintJob] { throw .server("down") }
    func cancel(job: Int, queue: String, purge: Bool) throws(PrinterError) { throw .server("down") }
}

final class TestClock: Sendable {
    let now = Mutex(Date(timeIntervalSince1970: 1_790_000_000))
    func advance(_ seconds: TimeInterval) { now.withLock { $0 += seconds } }
    var read: @Sendable () -> Date { { [self] in now.withLock { $0 } } }
}

struct StationServiceTests {
    let data = FileManager.default.temporaryDirectory.appendingPathComponent("guichet-station-\(UUID().uuidString.prefix(8))")
    let recorder = RecordingRecorder()
    let clock = TestClock()

    func service(printer: (any Printer)? = nil) -> StationService {
        StationService(
            station: "poste-1", data: data, timings: KioskTimings(inactivity: 300, warning: 60),
            devices: StationDevices(printer: printer, queue: nil, scanner: nil, scannerDevice: nil, pageCap: 30), recorder: recorder,
            clock: clock.read)
    }

    @Test func aSessionEndsWipedAndTheNextOneIsPrepared() async throws {
        defer { try? FileManager.default.removeItem(at: data) }
        let station = service()
        await station.recover()
        let session = try await station.start()
        #expect(await station.status().state == "in-use")
        let folder = station.folders.folder(session)
        try Data("pdf".utf8).write(to: folder.appendingPathComponent("downloads/attestation.pdf"))
        try await station.choose(situation: "having-baby")
        try await station.opened(site: URL(string: "https://www.caf.fr/allocataires/mon-compte")!, partners: ["caf"])
        #expect(try await station.files() == [SessionFile(kind: .downloads, name: "attestation.pdf", bytes: 3)])
        await #expect(throws: StationError.notAFile("../attestation.pdf")) { try await station.file(.downloads, "../attestation.pdf") }

        clock.advance(42)
        try await station.end(.button)
        let status = await station.status()
        #expect(status.state == "idle")
        #expect(!FileManager.default.fileExists(atPath: folder.path))
        let next = try #require(status.profile)
        #expect(!next.path.contains(session))
        #expect(FileManager.default.fileExists(atPath: next.appendingPathComponent("Default/Preferences").path))
        let last = try #require(recorder.uses.withLock { $0.last })
        #expect(last.id == session && last.lifeSituations == ["having-baby"] && last.partnerSites == ["caf"])
        #expect(last.end.map { $0.timeIntervalSince(last.start) } == 42)
        #expect(recorder.wipes.withLock { $0.map(\.1) } == [.button])
        #expect(recorder.wipes.withLock { $0.allSatisfy(\.0.succeeded) })
    }

    @Test func inactivityWarnsForAtLeastTwentySecondsThenEndsTheSession() async throws {
        defer { try? FileManager.default.removeItem(at: data) }
        let station = service()
        await station.recover()
        let session = try await station.start()
        clock.advance(299)
        await station.tick()
        #expect(await station.status().state == "in-use")
        clock.advance(1)
        await station.tick()
        let warned = await station.status()
        #expect(warned.state == "warning")
        #expect(try #require(warned.warningDeadline).timeIntervalSince(clock.read()) >= 20)
        try await station.extend()
        #expect(await station.status().state == "in-use")
        clock.advance(300)
        await station.tick()
        clock.advance(60)
        await station.tick()
        #expect(await station.status().state == "idle")
        #expect(recorder.wipes.withLock { $0.map(\.1) } == [.inactivity])
        #expect(!FileManager.default.fileExists(atPath: station.folders.folder(session).path))
    }

    @Test func aRestartWipesWhatACrashLeft() async throws {
        defer { try? FileManager.default.removeItem(at: data) }
        let folders = SessionFolders(data: data, station: "poste-1")
        let left = try folders.create("kcrashed")
        try Data("scan".utf8).write(to: left.appendingPathComponent("scans/numerisation-1.pdf"))
        let station = service()
        await station.recover()
        #expect(!FileManager.default.fileExists(atPath: left.path))
        #expect(recorder.wipes.withLock { $0.map(\.1) } == [.restart])
        #expect(recorder.closed.withLock { $0 } == 1)
        #expect(await station.status().state == "idle")
    }

    @Test func aWipeThatCannotBeVerifiedKeepsTheStationOutOfServiceAndAlerts() async throws {
        defer { try? FileManager.default.removeItem(at: data) }
        let station = service(printer: UnreachablePrinter())
        await station.recover()
        // A session that printed nothing is wiped without asking the spooler…
        try await station.start()
        try await station.end(.button)
        #expect(await station.status().state == "idle")
        // …one that tried to print cannot be verified while the spooler is down.
        let session = try await station.start()
        try Data("%PDF-1.4 /Type /Page".utf8).write(to: station.folders.folder(session).appendingPathComponent("downloads/a.pdf"))
        await #expect(throws: StationError.printer(.server("down"))) { try await station.print(.downloads, "a.pdf") }
        try await station.end(.button)
        #expect(await station.status().state == "out-of-service")
        #expect(recorder.alerts.withLock { $0.count } == 1)
        #expect(recorder.alerts.withLock { $0.first?.contains("hors service") == true })
        await #expect(throws: StationError.self) { try await station.start() }
        try await station.reset()
        #expect(await station.status().state == "idle")
    }

    @Test func withASupervisorTheWipeWaitsForTheBrowserToClose() async throws {
        defer { try? FileManager.default.removeItem(at: data) }
        let station = service()
        await station.recover()
        guard case .launch(let next, _) = await station.supervise(browser: nil, closed: nil) else { Issue.record("no launch order"); return }
        #expect(await station.supervise(browser: next, closed: nil) == .keep)
        let session = try await station.start()
        #expect(session == next)
        try await station.end(.button)
        #expect(await station.status().state == "ending")
        #expect(FileManager.default.fileExists(atPath: station.folders.folder(session).path))
        #expect(await station.supervise(browser: session, closed: nil) == .close)
        // The browser is gone: the same heartbeat wipes and orders the next one launched.
        guard case .launch(let fresh, _) = await station.supervise(browser: nil, closed: session) else { Issue.record("no relaunch"); return }
        #expect(fresh != session && !FileManager.default.fileExists(atPath: station.folders.folder(session).path))
        #expect(await station.status().state == "idle")
    }

    /// Field audit: after a daemon restart, the old browser (old cookies, storage, history)
    /// served the next usager. A browser of any other session is closed, and its folder,
    /// which it may have written again after the restart's wipe, is wiped once it is gone.
    @Test func aBrowserOfAnotherSessionIsClosedAndItsFolderWiped() async throws {
        defer { try? FileManager.default.removeItem(at: data) }
        let before = service()
        await before.recover()
        let old = try await before.start()
        let restarted = service()  // the daemon after SIGKILL
        await restarted.recover()
        #expect(!FileManager.default.fileExists(atPath: restarted.folders.folder(old).path))
        #expect(await restarted.supervise(browser: old, closed: nil) == .close)
        try FileManager.default.createDirectory(at: restarted.folders.folder(old).appendingPathComponent("profile"), withIntermediateDirectories: true)
        guard case .launch(let next, _) = await restarted.supervise(browser: nil, closed: old) else { Issue.record("no launch"); return }
        #expect(next != old && !FileManager.default.fileExists(atPath: restarted.folders.folder(old).path))
        #expect(recorder.wipes.withLock { $0.filter { $0.0.session == old }.count } == 2)
    }

    /// A browser that showed only the welcome page still wrote its profile (cookies, storage):
    /// once it is gone, by crash or with its supervisor, the next browser gets a fresh session.
    @Test func aProfileIsNeverUsedByTwoBrowsers() async throws {
        defer { try? FileManager.default.removeItem(at: data) }
        let station = service()
        await station.recover()
        guard case .launch(let first, _) = await station.supervise(browser: nil, closed: nil, firstBeat: true) else { Issue.record("no launch"); return }
        guard case .launch(let second, _) = await station.supervise(browser: nil, closed: first) else { Issue.record("no relaunch"); return }
        #expect(second != first && !FileManager.default.fileExists(atPath: station.folders.folder(first).path))
        // A new supervisor (its predecessor killed with its browser) starts on a new session too.
        guard case .launch(let third, _) = await station.supervise(browser: nil, closed: nil, firstBeat: true) else { Issue.record("no launch"); return }
        #expect(third != second && !FileManager.default.fileExists(atPath: station.folders.folder(second).path))
        #expect(FileManager.default.fileExists(atPath: station.folders.folder(third).appendingPathComponent("profile").path))
    }

    /// Field audit: with the supervisor killed, "Terminer" left the station `ending` for ever.
    @Test func whenTheSupervisorFallsSilentTheDaemonWipesItself() async throws {
        defer { try? FileManager.default.removeItem(at: data) }
        let station = service()
        await station.recover()
        _ = await station.supervise(browser: nil, closed: nil)
        let session = try await station.start()
        #expect(await station.supervise(browser: session, closed: nil) == .keep)
        try await station.end(.button)
        await station.tick()
        #expect(await station.status().state == "ending")
        clock.advance(station.supervisorTimeout + 1)
        await station.tick()
        #expect(await station.status().state == "idle")
        #expect(!FileManager.default.fileExists(atPath: station.folders.folder(session).path))
        // Unsupervised now, the next session's end wipes at once.
        let second = try await station.start()
        try await station.end(.button)
        #expect(await station.status().state == "idle" && !FileManager.default.fileExists(atPath: station.folders.folder(second).path))
        // A supervisor that returns without a browser mid-session ends that session: its browser died.
        _ = await station.supervise(browser: nil, closed: nil)
        let third = try await station.start()
        guard case .launch = await station.supervise(browser: nil, closed: nil) else { Issue.record("no relaunch"); return }
        #expect(!FileManager.default.fileExists(atPath: station.folders.folder(third).path))
        #expect(recorder.wipes.withLock { $0.last?.1 } == .restart)
    }

    /// Field audit: another local client read the session's state and files. Only the browser
    /// that redeemed the session's one-time ticket carries its secret.
    @Test func onlyTheBrowserThatRedeemedTheTicketIsBound() async throws {
        defer { try? FileManager.default.removeItem(at: data) }
        let station = service()
        await station.recover()
        #expect(await station.isBound(nil) == false)
        let ticket = await station.issueTicket()
        #expect(await station.redeem(ticket: "k" + ticket.dropFirst()) == nil)
        let secret = try #require(await station.redeem(ticket: ticket))
        #expect(await station.redeem(ticket: ticket) == nil)  // once
        let other = await station.isBound(String(secret.reversed()))
        #expect(await station.isBound(secret) && !other)
        let session = try await station.start()
        #expect(await station.isBound(secret))  // the session started in that browser
        let first = await station.firstAnswer(session: session), second = await station.firstAnswer(session: session)
        #expect(first && !second)
        try await station.end(.button)
        #expect(await station.isBound(secret) == false)  // the next session needs a new browser
    }

    @Test func helpIsRecordedWithTheSession() async throws {
        defer { try? FileManager.default.removeItem(at: data) }
        let station = service()
        await station.recover()
        let session = try await station.start()
        await station.requestHelp()
        try await station.end(.button)
        #expect(recorder.helps.withLock { $0 } == [session])
        #expect(recorder.uses.withLock { $0.last?.helpRequested } == true)
    }
}

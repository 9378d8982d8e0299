import Agenda
import Foundation
import Logging
import NetworkStore
import OfficeKit
import ServiceLifecycle
import Store
import StructureConfig

/// A structure in a network (`database: postgres://…`): joins the network's database at start
/// (again every `retry` while it is out of reach) and hands it the structure's bookings from
/// today on, so that it holds what the structure's own database holds, and its activity (the
/// whole history the first time, then the last days) for the network's reports; then again
/// every `every` (what was booked or done here while the network was out of reach). Each time,
/// the network's accounts kept here take what the network now says of them: one whose role
/// here was taken away is signed out.
public struct NetworkJoin: Service {
    let office: Office
    let membership: NetworkMembership
    let logger: Logger
    var every: Duration
    var retry: Duration = .seconds(10)

    public func run() async throws {
        var activitySince = Date(timeIntervalSince1970: 0)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            await reconcile(activitySince: activitySince)
            activitySince = office.clock().addingTimeInterval(-3 * 86_400)
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: every) }
        }
    }

    /// Until it succeeds once (or the daemon stops).
    private func reconcile(activitySince: Date) async {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let now = office.clock()
                let from = now.addingTimeInterval(-86_400)
                let ahead = TimeSpan(from, now.addingTimeInterval(2 * 366 * 86_400))
                var bookings: [Booking] = []
                let refused = try await membership.reconcile(endingAfter: from) {
                    bookings = try await office.database.bookingsAfterWritesInFlight(overlapping: ahead)
                    return bookings
                }
                let activity = try await office.database.activity(in: TimeSpan(activitySince, now.addingTimeInterval(86_400)))
                let clashes = try await membership.handOver(
                    visits: activity.contacts, stationSessions: activity.uses, pastBookings: activity.bookings.filter { $0.span.end <= from })
                if clashes > 0 {
                    logger.warning("past bookings left out of the network's reports: their specialist was booked elsewhere then", metadata: ["guichet.bookings": "\(clashes)"])
                }
                for (booking, error) in refused {
                    logger.error(
                        "booking held by another structure of the network: settle it with the specialist",
                        metadata: ["guichet.booking": "\(booking.id)", "guichet.specialist": "\(booking.specialist ?? "-")", "guichet.error": "\(error.code)"])
                }
                let mandateLines = try await membership.handOverMandateJournal { try await office.database.mandateJournal(after: $0, limit: $1) }
                let kept = try await office.database.networkAccountLogins()
                let signedOut = try await office.database.refreshNetworkAccounts(try await membership.accounts(logins: kept), asked: kept, now: office.clock())
                if !signedOut.isEmpty {
                    logger.notice("network accounts signed out: their role here was taken away", metadata: ["guichet.logins": "\(signedOut.joined(separator: ","))"])
                }
                logger.notice(
                    "bookings handed to the network's database",
                    metadata: [
                        "guichet.bookings": "\(bookings.count)", "guichet.refused": "\(refused.count)", "guichet.visits": "\(activity.contacts.count)",
                        "guichet.sessions": "\(activity.uses.count)", "guichet.mandate-lines": "\(mandateLines)",
                    ])
                break
            } catch {
                logger.warning("the network's database is out of reach; retrying", metadata: ["guichet.error": "\(error)", "guichet.retry": "\(retry)"])
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: retry) }
            }
        }
    }
}

extension NetworkJoin {
    /// The structure's membership of the network `settings` name; a bad URL or password file
    /// refuses the start, naming the setting.
    public static func membership(_ settings: NetworkSettings, structure: Structure, holdGrace: Duration = .seconds(60)) throws -> NetworkMembership {
        var password: String?
        if let file = settings.passwordFile {
            do { password = try SecretFile.read(file, setting: "databasePasswordFile") } catch { throw NetworkSettingsError(description: error.description) }
        }
        let location: NetworkDatabaseLocation
        do {
            location = try NetworkDatabaseLocation(url: settings.url, password: password)
        } catch {
            throw NetworkSettingsError(description: "database: \(error)")
        }
        let logger = Logger(label: "guichet.network-db")
        return NetworkMembership(
            database: NetworkDatabase(location, logger: logger), structure: structure.id, name: structure.name, holdGrace: holdGrace, logger: logger)
    }
}

/// A network setting that cannot be used as it is, in a sentence for the administrator.
public struct NetworkSettingsError: Error, CustomStringConvertible {
    public let description: String
}

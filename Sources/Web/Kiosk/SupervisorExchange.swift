import Foundation
import Station

/// What `guichet station` says each time.
public struct SupervisorBeat: Decodable, Sendable {
    public let browser: String?
    public let closed: String?
    /// The supervisor's first heartbeat since it started.
    public let first: Bool?
    /// Its version and a line on its health, shown in the console's list of PCs.
    public let version: String?
    public let health: String?

    public init(browser: String?, closed: String?, first: Bool?, version: String?, health: String?) {
        (self.browser, self.closed, self.first, self.version, self.health) = (browser, closed, first, version, health)
    }
}

/// The supervisor's beat and the station's answer: over HTTP to the server's stations, in
/// the same process for a station on its own PC.
public enum SupervisorExchange {
    public struct InvalidSession: Error {
        public let id: String
    }

    /// The order for the supervisor: keep, close, wait, or launch (with the session's folder
    /// and the one-time ticket's path).
    public static func answer(_ station: StationService, _ beat: SupervisorBeat) async throws -> [String: Any] {
        for id in [beat.browser, beat.closed].compactMap({ $0 }) where !StationSecrets.isSessionID(id) { throw InvalidSession(id: id) }
        let order = await station.supervise(browser: beat.browser, closed: beat.closed, firstBeat: beat.first ?? false)
        var body: [String: Any] = ["state": await station.status().state]
        switch order {
        case .keep: body["order"] = "keep"
        case .close: body["order"] = "close"
        case .wait: body["order"] = "wait"
        case .launch(let session, let ticket):
            body["order"] = "launch"
            body["session"] = session
            body["folder"] = station.folders.folder(session).path
            body["path"] = launchPath(station, ticket: ticket)
        }
        return body
    }

    static func launchPath(_ station: StationService, ticket: String) -> String { "/kiosk/\(station.station)/lancer?ticket=\(ticket)" }
}

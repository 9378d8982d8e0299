import Foundation

/// A usager at a station asked for an agent.
public struct HelpRequest: Sendable, Equatable {
    public enum Reason: String, Sendable { case help, outOfService = "out-of-service" }
    public let id: String
    public let station: String
    public let at: Date
    public let resolvedAt: Date?
    public var reason: Reason = .help
    /// The kiosk session the usager was in, if any.
    public var session: String?
    /// For an out-of-service alert, what went wrong (never a usager's data).
    public var message: String?
    /// The language the usager's screens were in: the agent who goes knows what to speak.
    public var language: String?

    public init(id: String, station: String, at: Date, resolvedAt: Date?, reason: Reason = .help, session: String? = nil, message: String? = nil, language: String? = nil) {
        self.id = id
        self.station = station
        self.at = at
        self.resolvedAt = resolvedAt
        self.reason = reason
        self.session = session
        self.message = message
        self.language = language
    }
}

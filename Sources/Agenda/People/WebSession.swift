import Foundation

/// A signed-in browser: an agent at the console or a usager at a station.
public struct WebSession: Sendable, Equatable {
    public enum Kind: String, Sendable { case agent, kiosk }
    public let token: String
    public let kind: Kind
    public let agent: Agent?
    public let station: String?
    public let csrf: String
    public let expiresAt: Date

    public init(token: String, kind: Kind, agent: Agent?, station: String?, csrf: String, expiresAt: Date) {
        self.token = token
        self.kind = kind
        self.agent = agent
        self.station = station
        self.csrf = csrf
        self.expiresAt = expiresAt
    }
}

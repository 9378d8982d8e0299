import Foundation

/// What an agent may do: agents run the day; managers also change hours, closures,
/// permanences and accounts; a coordinator (of a network of structures) reads everything,
/// the network's pages too, and writes nothing.
public enum AgentRole: String, CaseIterable, Sendable, Codable {
    case agent, manager, coordinator

    /// May change anything at all (every role but the coordinator's).
    public var writes: Bool { self != .coordinator }
}

/// An account of the console. The password hash never leaves the store except to be verified.
public struct Agent: Sendable, Equatable {
    public let id: String
    public let login: String
    public let displayName: String
    public let role: AgentRole
    public let active: Bool

    public init(id: String, login: String, displayName: String, role: AgentRole, active: Bool) {
        self.id = id
        self.login = login
        self.displayName = displayName
        self.role = role
        self.active = active
    }
}

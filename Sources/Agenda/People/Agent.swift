import Foundation

/// What an agent may do: agents run the day; managers also change hours, closures,
/// permanences and accounts.
public enum AgentRole: String, CaseIterable, Sendable, Codable {
    case agent, manager
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

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
    /// The network's account (`guichet agent add --network`), kept here as last seen there:
    /// its role and password are the network's, not this structure's to change.
    public let network: Bool

    public init(id: String, login: String, displayName: String, role: AgentRole, active: Bool, network: Bool = false) {
        self.id = id
        self.login = login
        self.displayName = displayName
        self.role = role
        self.active = active
        self.network = network
    }

    /// `login` as an account's identifier (lowercased), or why it cannot be one: 2 to 40
    /// characters, lowercase letters, digits, '.', '_' or '-', starting with a letter or digit.
    public static func validLogin(_ login: String) throws -> String {
        let login = login.lowercased()
        guard (2...40).contains(login.count), login.first.map({ $0.isLetter || $0.isNumber }) == true,
            login.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || "._-".contains($0)) })
        else {
            throw AgendaError.invalidField(
                "login", french: "Identifiant de 2 à 40 caractères : lettres minuscules, chiffres, « . », « _ » ou « - ».",
                english: "Login of 2 to 40 characters: lowercase letters, digits, '.', '_' or '-'.")
        }
        return login
    }

    /// A display name as kept (trimmed), or why it cannot be one.
    public static func validDisplayName(_ name: String) throws -> String {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...120).contains(name.count) else {
            throw AgendaError.invalidField("displayName", french: "Le nom affiché est requis.", english: "The display name is required.")
        }
        return name
    }
}

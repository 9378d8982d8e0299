/// An account of the network (`guichet agent add --network`), as one structure sees it: one
/// login and one password for an agent who serves several structures, with a role in each
/// (agent or manager), or the coordinator's in all of them.
public struct NetworkAccount: Sendable, Equatable {
    public var login: String
    public var displayName: String
    /// bcrypt, as the structures' own accounts.
    public var passwordHash: String
    /// The role in this structure; nil when the account has none here.
    public var role: AgentRole?

    public init(login: String, displayName: String, passwordHash: String, role: AgentRole?) {
        (self.login, self.displayName, self.passwordHash, self.role) = (login, displayName, passwordHash, role)
    }
}

/// The network's accounts, asked by a structure's server (`database: postgres://…`): at
/// sign-in, for a login this structure does not hold itself, and between two hand-overs,
/// for the accounts it keeps as last seen (a role taken away ends their sessions here).
public protocol NetworkAccounts: Sendable {
    /// The account `login` (lowercase) as this structure sees it, or nil when the network has
    /// none. Throws `AgendaError.networkUnavailable` when the network does not answer.
    func account(login: String) async throws -> NetworkAccount?

    /// Those of `logins` the network still holds, as this structure sees them.
    func accounts(logins: [String]) async throws -> [NetworkAccount]

    /// Takes away `login`'s role in this structure (its account stays, for the others).
    func revoke(login: String) async throws
}

import Agenda
import ArgumentParser
import Foundation
import Store
import OfficeKit
import NetworkStore
import StructureConfig
import App

#if canImport(Glibc)
import Glibc
#endif

/// `guichet agent`: console accounts from the command line (the first manager is made here).
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent", abstract: "Manage the agents' console accounts.",
        discussion: """
            In a network (`database: postgres://…`), --network makes an account of the network: one
            login and password for an agent who serves several structures, with a role in each
            (`grant`, `revoke`), or the coordinator's in all. Each structure's server signs it in
            with its role there.
            """,
        subcommands: [Add.self, Password.self, Grant.self, Revoke.self, Remove.self, List.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an account. The password is asked twice on a terminal, or read as one line from standard input.",
            discussion: "There is no default password: the first manager account is created with `guichet agent add LOGIN --name NAME --manager`.")

        @OptionGroup var office: OfficeOptions

        @Argument(help: "The login (lowercase letters, digits, '.', '_' or '-').", transform: { $0.lowercased() })
        var login: String

        @Option(help: "The name shown in the console.")
        var name: String

        @Flag(help: "Give the manager role (hours, closures, permanences, accounts).")
        var manager = false

        @Flag(help: "Give the network coordinator's role: reads this structure and the network's pages (every structure of its database), writes nothing.")
        var coordinator = false

        @Flag(help: "An account of the network (the configuration's `database`), with its role in this structure; `grant` gives it one in others.")
        var network = false

        func validate() throws {
            if manager && coordinator { throw ValidationError("--manager and --coordinator: one role per account") }
        }

        func run() async throws {
            let password = try AgentCommand.readPassword()
            if network { return try await addToNetwork(password: password) }
            let office = try self.office.open()
            do {
                let agent = try await office.addAgent(
                    login: login, displayName: name, role: coordinator ? .coordinator : manager ? .manager : .agent, password: password, actor: "cli")
                print("Account \(agent.login) created (\(agent.role.rawValue)).")
            } catch let error as AgendaError {
                throw ValidationError(error.french)
            }
        }

        func addToNetwork(password: String) async throws {
            if let weakness = Accounts.weakness(of: password, login: login) { throw ValidationError(weakness) }
            try await AgentCommand.withNetwork(office) { database, config in
                let hash = await Accounts.hash(password, cost: config.console.passwordCost)
                try await database.addAccount(login: login, displayName: name, passwordHash: hash, coordinator: coordinator)
                if coordinator {
                    print("Network account \(login) created (coordinator: reads every structure).")
                } else {
                    try await database.grant(login: login, structure: config.structure.id, role: manager ? .manager : .agent)
                    print("Network account \(login) created (\(manager ? "manager" : "agent") in \(config.structure.id)).")
                }
            }
        }
    }

    struct Grant: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Give a network account a role in a structure (this one unless --structure), over the one it had there.")
        @OptionGroup var office: OfficeOptions
        @OptionGroup var target: RoleTarget

        @Flag(help: "The manager's role (hours, closures, permanences, accounts); the agent's otherwise.")
        var manager = false

        func run() async throws {
            try await AgentCommand.withNetwork(office) { database, config in
                let (login, structure) = (target.login, target.structure(of: config))
                try await database.grant(login: login, structure: structure, role: manager ? .manager : .agent)
                print("\(login) is \(manager ? "manager" : "agent") in \(structure).")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Take a network account's role in a structure away (this one unless --structure); its sessions there end within a hand-over.")
        @OptionGroup var office: OfficeOptions
        @OptionGroup var target: RoleTarget

        func run() async throws {
            try await AgentCommand.withNetwork(office) { database, config in
                let (login, structure) = (target.login, target.structure(of: config))
                guard try await database.revoke(login: login, structure: structure) else {
                    throw ValidationError("\(login) has no role in \(structure).")
                }
                print("\(login) has no role in \(structure) any more.")
            }
        }
    }

    struct Password: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Give an account a new password (asked as for `add`); its sessions end (a network's account's, in each structure within a hand-over).")
        @OptionGroup var office: OfficeOptions

        @Argument(help: "The login.", transform: { $0.lowercased() })
        var login: String

        @Flag(help: "The network's account (the configuration's `database`), not this structure's own.")
        var network = false

        func run() async throws {
            let password = try AgentCommand.readPassword()
            if network {
                if let weakness = Accounts.weakness(of: password, login: login) { throw ValidationError(weakness) }
                try await AgentCommand.withNetwork(office) { database, config in
                    try await database.setPassword(login: login, passwordHash: await Accounts.hash(password, cost: config.console.passwordCost))
                }
            } else {
                do {
                    try await office.open().setPassword(login: login, password: password, actor: "cli")
                } catch let error as AgendaError {
                    throw ValidationError(error.french)
                }
            }
            print("New password for \(login)\(network ? " (network account)" : "").")
        }
    }

    /// A new password: asked twice on a terminal, else one line of standard input.
    static func readPassword() throws -> String {
        if isatty(STDIN_FILENO) == 1 {
            let first = String(cString: getpass("Mot de passe (12 caractères au moins) : "))
            let second = String(cString: getpass("Encore une fois : "))
            guard first == second else { throw ValidationError("Les deux mots de passe diffèrent.") }
            return first
        }
        guard let line = Swift.readLine(strippingNewline: true), !line.isEmpty else {
            throw ValidationError("No password on standard input.")
        }
        return line
    }

    /// Whose role, and in which structure (`grant`, `revoke`).
    struct RoleTarget: ParsableArguments {
        @Argument(help: "The network account's login.", transform: { $0.lowercased() })
        var login: String

        @Option(help: "The structure's id in the network (default: this configuration's).")
        var structure: String?

        func structure(of config: GuichetConfig) -> String { structure ?? config.structure.id }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove a network account, its roles in every structure with it (the coordinator's too); its sessions end within a hand-over.")
        @OptionGroup var office: OfficeOptions

        @Argument(help: "The network account's login.", transform: { $0.lowercased() })
        var login: String

        @Flag(help: "Required: the account removed is the network's (a structure's own is disabled from its Comptes page).")
        var network = false

        func validate() throws {
            guard network else { throw ValidationError("remove is for the network's accounts: add --network") }
        }

        func run() async throws {
            try await AgentCommand.withNetwork(office) { database, _ in
                guard try await database.removeAccount(login: login) else {
                    throw ValidationError("The network has no account \(login).")
                }
                print("Network account \(login) removed.")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the accounts.")
        @OptionGroup var office: OfficeOptions

        @Flag(help: "The network's accounts and their role in each structure.")
        var network = false

        func run() async throws {
            if network {
                try await AgentCommand.withNetwork(office) { database, _ in
                    for account in try await database.accountRoles() {
                        let roles = account.coordinator ? "coordinator" : account.roles.map { "\($0.structure)=\($0.role.rawValue)" }.joined(separator: ",")
                        print("\(account.login)\t\(roles.isEmpty ? "-" : roles)\t\(account.displayName)")
                    }
                }
                return
            }
            for agent in try await office.open().database.agents() {
                print("\(agent.login)\t\(agent.role.rawValue)\t\(agent.active ? "active" : "disabled")\t\(agent.network ? "network" : "local")\t\(agent.displayName)")
            }
        }
    }

    /// `body` with the network's database of the configuration (its pool running, its schema
    /// up to date, this structure registered); the database's refusals as the command's.
    static func withNetwork(_ options: OfficeOptions, _ body: @escaping @Sendable (NetworkDatabase, GuichetConfig) async throws -> Void) async throws {
        let config = try GuichetConfig.load(path: options.config)
        guard let settings = config.network else {
            throw ValidationError("--network needs the network's database: `database` (postgres://…) in \(options.config)")
        }
        let membership = try NetworkJoin.membership(settings, structure: config.structure)
        do {
            try await membership.database.run { database in
                try await membership.join()
                try await body(database, config)
            }
        } catch let error as AgendaError {
            throw ValidationError(error.french)
        }
    }
}

/// `guichet purge`: what the daily job does, on demand.
struct Purge: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Delete personal data whose purpose has ended (bookings, visit notes, referrals, mandates), keeping the figures.")
    @OptionGroup var office: OfficeOptions

    func run() async throws {
        let report = try await office.open().purgePersonalData(actor: "cli")
        print("Purged: \(report.bookings) booking(s), \(report.contactNotes) visit note(s), \(report.referrals) referral(s), \(report.mandates) mandate(s), \(report.messages) message(s).")
    }
}

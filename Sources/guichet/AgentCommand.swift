import Agenda
import ArgumentParser
import Foundation
import Store
import OfficeKit

#if canImport(Glibc)
import Glibc
#endif

/// `guichet agent`: console accounts from the command line (the first manager is made here).
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent", abstract: "Manage the agents' console accounts.", subcommands: [Add.self, List.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an account. The password is asked twice on a terminal, or read as one line from standard input.",
            discussion: "There is no default password: the first manager account is created with `guichet agent add LOGIN --name NAME --manager`.")

        @OptionGroup var office: OfficeOptions

        @Argument(help: "The login (lowercase letters, digits, '.', '_' or '-').")
        var login: String

        @Option(help: "The name shown in the console.")
        var name: String

        @Flag(help: "Give the manager role (hours, closures, permanences, accounts).")
        var manager = false

        @Flag(help: "Give the network coordinator's role: reads this structure and the network's pages (every structure of its database), writes nothing.")
        var coordinator = false

        func validate() throws {
            if manager && coordinator { throw ValidationError("--manager and --coordinator: one role per account") }
        }

        func run() async throws {
            let password = try readPassword()
            let office = try self.office.open()
            do {
                let agent = try await office.addAgent(
                    login: login, displayName: name, role: coordinator ? .coordinator : manager ? .manager : .agent, password: password, actor: "cli")
                print("Account \(agent.login) created (\(agent.role.rawValue)).")
            } catch let error as AgendaError {
                throw ValidationError(error.french)
            }
        }

        func readPassword() throws -> String {
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
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the accounts.")
        @OptionGroup var office: OfficeOptions

        func run() async throws {
            for agent in try await office.open().database.agents() {
                print("\(agent.login)\t\(agent.role.rawValue)\t\(agent.active ? "active" : "disabled")\t\(agent.displayName)")
            }
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

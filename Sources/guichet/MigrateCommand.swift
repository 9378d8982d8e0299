import Agenda
import App
import ArgumentParser
import Foundation
import NetworkStore
import OfficeKit
import Reports
import Store
import StructureConfig

/// `guichet migrate-to-postgres`: a structure joins the network with its whole history.
struct MigrateToPostgres: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate-to-postgres",
        abstract: "Hand a structure's SQLite history to the network's PostgreSQL database, then check it there.",
        discussion: """
            Every booking (with its outcome), visit and station session of the structure's
            database goes to the network's, under --structure; a booking whose specialist another
            structure holds at that time is listed, not forced. Then, year by year, the network's
            figures for the structure must equal its own report's, and the counts must match:
            any difference is printed and the command fails. Run it again at will: it only
            completes what is missing. The structure's SQLite file is only read; afterwards set
            `database` in its configuration so its server keeps the network up to date.
            """)

    @Option(help: "The structure's configuration file (JSON).")
    var config = "config/guichet.json"

    @Option(help: "Folder holding the structure's guichet.sqlite.")
    var from = "data"

    @Option(help: "The network's database: postgres://user@host/database (the password in the configuration's databasePasswordFile).")
    var to: String

    @Option(help: "The structure's id in the network (lowercase letters, digits and dashes).")
    var structure: String

    func run() async throws {
        let loaded = try GuichetConfig.load(path: config)
        var structureConfig = loaded.structure
        structureConfig.id = structure
        let database = try AppDatabase.openExisting(path: (from as NSString).appendingPathComponent("guichet.sqlite"))
        let office = Office(config: loaded, database: database)
        let membership = try NetworkJoin.membership(NetworkSettings(url: to, passwordFile: loaded.network?.passwordFile), structure: structureConfig)
        let history = try await database.activity(in: TimeSpan(Date(timeIntervalSince1970: 946_684_800), Date().addingTimeInterval(3 * 366 * 86_400)))
        let problems = try await membership.database.run { network in
            let refused = try await membership.reconcile(endingAfter: .distantPast) { history.bookings }
            for (booking, error) in refused {
                print("not handed over: booking \(booking.id) of \(booking.specialist ?? "-") at \(booking.span.start): \(error.english)")
            }
            _ = try await membership.handOver(visits: history.contacts, stationSessions: history.uses, pastBookings: [])
            _ = try await membership.handOverMandateJournal { try await database.mandateJournal(after: $0, limit: $1) }
            let mandateLines = try await database.mandateJournal(after: 0, limit: .max).count
            print(
                "handed over: \(history.bookings.count - refused.count) bookings, \(history.contacts.count) visits, \(history.uses.count) station sessions, \(mandateLines) line(s) of the mandate journal"
            )
            return try await verify(office: office, network: network, history: history, refused: refused.count, mandateLines: mandateLines)
        }
        guard problems.isEmpty else {
            throw ValidationFailure("the network's database does not hold the structure's history as it should:\n" + problems.joined(separator: "\n"))
        }
        print("checked: the counts and every year's report figures match.")
    }

    /// The counts, and each year's figures as the structure's own report gives them.
    private func verify(
        office: Office, network: NetworkDatabase, history: (contacts: [Contact], bookings: [Booking], uses: [StationUse], referrals: [Referral], satisfaction: [SatisfactionAnswer], messages: [ContactMessage], closures: [Closure]),
        refused: Int, mandateLines: Int
    ) async throws -> [String] {
        var problems: [String] = []
        let counts = try await network.structureCounts(structure)
        for (what, here, there) in [
            ("visits", history.contacts.count, counts.visits), ("station sessions", history.uses.count, counts.sessions),
            ("bookings", history.bookings.count - refused, counts.bookings), ("lines of the mandate journal", mandateLines, counts.mandateLines),
        ] where here != there {
            problems.append("\(what): \(here) here, \(there) in the network")
        }
        let zone = office.zone
        let years = Set(history.contacts.map { zone.localDate($0.at).year } + history.uses.map { zone.localDate($0.start).year }
            + history.bookings.map { zone.localDate($0.span.start).year }).sorted()
        for year in years {
            guard let period = ReportPeriod(String(year)) else { continue }
            let own = NetworkReport.figures(ofStructureReport: try await office.report(period))
            let span = period.span(in: zone)
            let row = try await network.activityByStructure(from: span.start, to: span.end).first { $0.structure == structure }
            let theirs = row.map(NetworkReport.figures(of:)) ?? [:]
            for figure in NetworkReport.figureColumns where own[figure] != theirs[figure] {
                problems.append("\(year), \(figure): \(own[figure] ?? "-") in the structure's report, \(theirs[figure] ?? "-") in the network's")
            }
        }
        return problems
    }
}

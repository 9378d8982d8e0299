import ArgumentParser
import Foundation
import Store
import StructureConfig
import OfficeKit

/// `--config` and `--data`, shared by every command that opens the structure's database.
struct OfficeOptions: ParsableArguments {
    @Option(help: "The structure's configuration file (JSON).")
    var config = "config/guichet.json"

    @Option(help: "Folder holding the SQLite database (created if missing, except by commands that only read).")
    var data = "data"

    @Option(help: ArgumentHelp("Shift the daemon's clock by this many seconds (tests only).", visibility: .hidden))
    var clockOffset: Double = 0

    var databasePath: String { (data as NSString).appendingPathComponent("guichet.sqlite") }

    /// Loads the configuration (a refusal names file, key and rule) and opens the database,
    /// creating and migrating it (the daemon, `agent`, `purge`); `log` hears a migration.
    func open(log: (String) -> Void = { print($0) }) throws -> Office {
        let loaded = try GuichetConfig.load(path: config)
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let database = try AppDatabase.open(path: databasePath, log: log)
        return office(loaded, database)
    }

    /// For commands that only read (`report`): an existing database, never created nor migrated.
    func openForReading() throws -> Office {
        let loaded = try GuichetConfig.load(path: config)
        return office(loaded, try AppDatabase.openExisting(path: databasePath))
    }

    private func office(_ config: GuichetConfig, _ database: AppDatabase) -> Office {
        Office(config: config, database: database, clock: clock)
    }

    /// The daemon's clock, shifted by `--clock-offset`.
    var clock: @Sendable () -> Date {
        let offset = clockOffset
        return { Date().addingTimeInterval(offset) }
    }
}

import ArgumentParser
import Foundation
import Store
import StructureConfig
import Web

/// `--config` and `--data`, shared by every command that opens the structure's database.
struct OfficeOptions: ParsableArguments {
    @Option(help: "The structure's configuration file (JSON).")
    var config = "config/guichet.json"

    @Option(help: "Folder holding the SQLite database (created if missing).")
    var data = "data"

    @Option(help: ArgumentHelp("Shift the daemon's clock by this many seconds (tests only).", visibility: .hidden))
    var clockOffset: Double = 0

    var databasePath: String { (data as NSString).appendingPathComponent("guichet.sqlite") }

    /// Loads the configuration (a refusal names file, key and rule) and opens the database.
    func open() throws -> Office {
        let loaded = try GuichetConfig.load(path: config)
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        let database = try AppDatabase.open(path: databasePath)
        let offset = clockOffset
        return Office(config: loaded, database: database, clock: { Date().addingTimeInterval(offset) })
    }
}

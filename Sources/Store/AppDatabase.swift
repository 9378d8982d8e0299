import Foundation
import GRDB

/// The structure's one database, opened once for the life of the process.
///
/// Every write is one transaction named for its intent (see the `AppDatabase+…` files);
/// the invariants that must hold under concurrency live inside those transactions or in
/// the schema itself.
public final class AppDatabase: Sendable {
    public let writer: any DatabaseWriter
    let sessionCache = SessionCache()

    /// Wraps `writer` and brings its schema up to date.
    public init(_ writer: any DatabaseWriter) throws {
        self.writer = writer
        try Migrations.migrator.migrate(writer)
    }

    /// Opens (or creates) the database file at `path` in WAL mode.
    ///
    /// `synchronous = FULL`: a booking acknowledged to a usager survives a power cut, not
    /// only a killed process. The benchmark measures raw SQLite with the same setting.
    public static func open(path: String) throws -> AppDatabase {
        try AppDatabase(DatabasePool(path: path, configuration: configuration()))
    }

    /// A private in-memory database, for tests.
    public static func inMemory() throws -> AppDatabase {
        try AppDatabase(DatabaseQueue(configuration: configuration()))
    }

    static func configuration() -> Configuration {
        var config = Configuration()
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // Deleted and overwritten content is zeroed, so purged personal data does not
            // linger in free space of the file.
            try db.execute(sql: "PRAGMA secure_delete = ON")
        }
        return config
    }

    /// `PRAGMA integrity_check`, "ok" when sound.
    public func integrityCheck() async throws -> String {
        try await writer.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "; ") }
    }

    /// The journal mode in force (`wal` for a file database).
    public func journalMode() async throws -> String {
        try await writer.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "unknown" }
    }
}

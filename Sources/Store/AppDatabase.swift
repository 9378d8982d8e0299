import Agenda
import Foundation
import GRDB
import Synchronization

/// The structure's one database, opened once for the life of the process.
///
/// Every write is one transaction named for its intent (see the `AppDatabase+…` files);
/// the invariants that must hold under concurrency live inside those transactions or in
/// the schema itself.
public final class AppDatabase: Sendable {
    public let writer: any DatabaseWriter
    let sessionCache = SessionCache()
    private let claims = Mutex<(any NetworkClaims)?>(nil)

    /// Wraps `writer` and brings its schema up to date.
    public init(_ writer: any DatabaseWriter) throws {
        self.writer = writer
        try Self.refuseNewer(writer)
        try Migrations.migrator.migrate(writer)
    }

    /// Wraps `writer` as it is: a schema that is not exactly this version's is refused.
    init(unmigrated writer: any DatabaseWriter) throws {
        self.writer = writer
        try Self.refuseNewer(writer)
        let current = try writer.read { db in try Migrations.migrator.hasCompletedMigrations(db) }
        guard current else {
            throw StoreError(
                "the database was written by an older Guichet and needs migrating: start `guichet serve` once (it backs the file up first)")
        }
    }

    /// Opens (or creates) the database file at `path` in WAL mode, for the daemon and the
    /// commands that write.
    ///
    /// `synchronous = FULL`: a booking acknowledged to a usager survives a power cut, not
    /// only a killed process. The benchmark measures raw SQLite with the same setting.
    /// The file, its WAL and its backups are 0600: they hold personal data. A database that
    /// needs migrating is first copied beside itself (`VACUUM INTO`, a consistent snapshot);
    /// `log` hears what was done.
    public static func open(path: String, log: (String) -> Void = { _ in }) throws -> AppDatabase {
        // SQLite creates the -wal and -shm files with the database's own mode: a database
        // created 0600 keeps them 0600 too. (No umask here: it is the whole process's.)
        let fm = FileManager.default
        if !fm.fileExists(atPath: path) {
            guard fm.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
                throw StoreError("cannot create the database file \(path) (is its folder writable?)")
            }
        }
        for file in [path, path + "-wal", path + "-shm"] where fm.fileExists(atPath: file) {
            try? fm.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file)
        }
        // Checked through a read-only connection first: a newer database is never written to.
        if (try? fm.attributesOfItem(atPath: path)[.size] as? Int) ?? 0 > 0 {
            var readOnly = configuration()
            readOnly.readonly = true
            try refuseNewer(try DatabaseQueue(path: path, configuration: readOnly))
        }
        let pool = try DatabasePool(path: path, configuration: configuration())
        let migrator = Migrations.migrator
        let (applied, complete) = try pool.read { db in (try migrator.appliedIdentifiers(db), try migrator.hasCompletedMigrations(db)) }
        if !complete && !applied.isEmpty {
            let pending = migrator.migrations.filter { !applied.contains($0) }
            let backup = try backUp(pool, path: path, before: pending.first ?? "migration")
            log("database \(path): migrating \(pending.joined(separator: ", ")); backup written to \(backup)")
        }
        return try AppDatabase(pool)  // migrates
    }

    /// Opens an existing database to read it (reports, checks): never creates, never migrates.
    public static func openExisting(path: String) throws -> AppDatabase {
        guard FileManager.default.fileExists(atPath: path) else {
            throw StoreError("no database at \(path): check --data (it names the folder holding guichet.sqlite)")
        }
        var config = configuration()
        config.readonly = true
        return try AppDatabase(unmigrated: DatabaseQueue(path: path, configuration: config))
    }

    /// A database written by a newer Guichet (a migration this version does not know) is
    /// never opened: its meaning may have changed under us.
    static func refuseNewer(_ writer: any DatabaseReader) throws {
        let migrator = Migrations.migrator
        let unknown = try writer.read { db in
            try db.tableExists("grdb_migrations") ? try migrator.appliedIdentifiers(db).subtracting(migrator.migrations) : []
        }
        guard unknown.isEmpty else {
            throw StoreError(
                "the database was written by a newer version of Guichet (unknown migrations: \(unknown.sorted().joined(separator: ", "))); run that version, or restore a backup")
        }
    }

    /// A consistent copy of the database beside it, 0600, before migrating it.
    static func backUp(_ pool: DatabasePool, path: String, before migration: String) throws -> String {
        let stamp = ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: ":", with: "")
        let backup = "\(path).before-\(migration)-\(stamp)"
        // Created empty and private first (VACUUM INTO accepts an empty file): never readable by others.
        guard FileManager.default.createFile(atPath: backup, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw StoreError("cannot write the backup \(backup) before migrating (is the folder writable?)")
        }
        try pool.writeWithoutTransaction { db in try db.execute(sql: "VACUUM INTO ?", arguments: [backup]) }
        return backup
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

    /// From now on, every booking written here is held in the network's database too
    /// (`database: postgres://…`): a specialist the structures share is booked once.
    public func joinNetwork(_ claims: any NetworkClaims) {
        self.claims.withLock { $0 = claims }
    }

    /// The network this structure belongs to, if any.
    public var network: (any NetworkClaims)? { claims.withLock { $0 } }

    /// `PRAGMA integrity_check`, "ok" when sound.
    public func integrityCheck() async throws -> String {
        try await writer.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "; ") }
    }

    /// A real, committed write (one probe row): what a booking needs to succeed right now.
    public func probeWrite() async throws {
        try await writer.write { db in
            try db.execute(sql: "INSERT INTO healthProbe (id, at) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET at = excluded.at", arguments: [Int64(Date().timeIntervalSince1970)])
        }
    }

    /// The folder holding the database file (nil in memory).
    public var folder: String? { path.map { ($0 as NSString).deletingLastPathComponent } }

    /// The database file (nil in memory).
    public var path: String? {
        let path = writer.path
        guard !path.isEmpty, path != ":memory:", !path.hasPrefix("file::memory") else { return nil }
        return path
    }

    /// The journal mode in force (`wal` for a file database).
    public func journalMode() async throws -> String {
        try await writer.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "unknown" }
    }
}

/// A database that cannot be opened as it is, in a sentence for the administrator.
public struct StoreError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

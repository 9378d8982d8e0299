import ArgumentParser
import Foundation
import Store

/// `guichet backup`: a consistent copy of the database, while the server runs.
struct Backup: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a consistent, checked copy of the database (the server may be running).",
        discussion: """
            SQLite's online backup API copies the database in small steps, so the server's
            bookings wait milliseconds at most; the copy is checked (integrity) and written
            0600, then renamed into place. Restore it with `guichet restore FILE`.
            """)

    @Option(help: "Folder holding guichet.sqlite.")
    var data = "data"

    @Option(help: "The backup file to write (replaced if it exists).")
    var out: String

    func run() throws {
        let database = (data as NSString).appendingPathComponent("guichet.sqlite")
        do {
            let bytes = try DatabaseBackup.write(from: database, to: out)
            print("\(out): backup of \(database) written and checked (\(bytes / 1024) KiB).")
        } catch let error as StoreError {
            throw ValidationFailure(error.description)
        }
    }
}

/// `guichet restore`: puts a backup in place of the database, the server stopped.
struct Restore: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replace the database by a backup (the server must be stopped); the current one is kept aside.")

    @Argument(help: "The backup file (from `guichet backup` or the daily backups).")
    var file: String

    @Option(help: "Folder holding guichet.sqlite.")
    var data = "data"

    func run() throws {
        do {
            // The daemon's own lock: refused while a server (or another restore) uses the folder.
            try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let lock = try DataFolderLock(folder: data)
            let aside = try DatabaseBackup.restore(file, into: data)
            withExtendedLifetime(lock) {}
            print("\(file) restored into \(data)/guichet.sqlite." + (aside.map { " The previous database is kept as \($0)." } ?? ""))
        } catch let error as StoreError {
            throw ValidationFailure(error.description)
        }
    }
}

import Foundation
import Testing

/// A private PostgreSQL 15 server for this test process (Debian's postgresql-15, installed by
/// `scripts/setup.sh --tests`): `initdb` in a temporary folder, `pg_ctl` with its socket there
/// and no TCP port, stopped when the process ends. Each test gets its own database. As root
/// (CI), the server runs as the `postgres` user, which PostgreSQL requires.
final class PrivatePostgres: Sendable {
    static let shared: Result<PrivatePostgres, any Error> = Result { try PrivatePostgres() }

    let folder: String
    let user: String
    private let bin = "/usr/lib/postgresql/15/bin"
    private let asRoot = getuid() == 0

    private init() throws {
        folder = NSTemporaryDirectory() + "guichet-pg-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        user = "guichet"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        if asRoot { try run("/bin/chown", ["postgres:postgres", folder], asServer: false) }
        try run("\(bin)/initdb", ["-D", "\(folder)/data", "-U", user, "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C.UTF-8"])
        try run("\(bin)/pg_ctl", [
            "-D", "\(folder)/data", "-l", "\(folder)/server.log", "-w", "-t", "60",
            "-o", "-k \(folder) -c listen_addresses='' -c fsync=off -c max_connections=200", "start",
        ])
        atexit { if case .success(let server) = PrivatePostgres.shared { server.stop() } }
    }

    /// A fresh, empty database; its URL.
    func database(_ name: String) throws -> String {
        let database = "t_" + name.lowercased().filter { $0.isLetter || $0.isNumber } + "_\(UInt32.random(in: 0...UInt32.max))"
        try run("\(bin)/createdb", ["-h", folder, "-U", user, database])
        return "postgres://\(user)@/\(database)?host=\(folder)"
    }

    /// The server's log, for a failing test.
    var log: String { (try? String(contentsOfFile: "\(folder)/server.log", encoding: .utf8)) ?? "" }

    private func run(_ program: String, _ arguments: [String], asServer: Bool = true) throws {
        try Self.run(program, arguments, asRoot: asRoot && asServer)
    }

    /// `posix_spawn` and `waitpid`, output to a file: Foundation's `Process` never saw
    /// `pg_ctl start` end here (its runuser left a zombie), and a pipe would stay open in the
    /// server `pg_ctl` starts.
    private static func run(_ program: String, _ arguments: [String], asRoot: Bool) throws {
        let argv = asRoot ? ["/usr/sbin/runuser", "-u", "postgres", "--", program] + arguments : [program] + arguments
        let path = NSTemporaryDirectory() + "guichet-pg-run-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var cArguments = argv.map { strdup($0) } + [nil]
        defer { for argument in cArguments { free(argument) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, argv[0], &actions, nil, &cArguments, environ)
        guard spawned == 0 else { throw PostgresFixtureError(description: "cannot start \(argv[0]): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        guard status == 0 else {
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            throw PostgresFixtureError(description: "\(argv.joined(separator: " ")) failed (status \(status)):\n\(text)")
        }
    }

    private func stop() {
        try? run("\(bin)/pg_ctl", ["-D", "\(folder)/data", "-m", "immediate", "-w", "stop"])
        try? FileManager.default.removeItem(atPath: folder)
    }
}

struct PostgresFixtureError: Error, CustomStringConvertible {
    let description: String
}

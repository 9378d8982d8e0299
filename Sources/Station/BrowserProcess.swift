import Foundation

/// The station's browser as a group of processes that cannot outlive its supervisor.
///
/// Chromium runs under a small `sh` leading a process group of its own: the shell holds the
/// read end of a pipe whose only write end is the supervisor's, and kills the whole group
/// when that pipe closes (the supervisor exited, even by SIGKILL) or when Chromium exits.
/// Closing the browser is killing the group and waiting until none of it runs, so no
/// renderer still writes into a folder being wiped. (`PR_SET_PDEATHSIG` was not used: it
/// follows the spawning thread, and Swift's pool threads come and go.)
public final class BrowserProcess: @unchecked Sendable {
    public let session: String
    let process: Process
    private let lifeline: Pipe

    /// The shell's `wait` never returned here (the spawned shell inherits a signal mask that
    /// holds SIGCHLD back), so the guard looks at `/proc` for the browser's end instead.
    static let guardScript = #"""
        exec 3<&0; "$@" & child=$!; { read _ <&3; kill -KILL 0; } &
        while s=$(cat /proc/$child/stat 2>/dev/null); do case "${s##*) }" in Z*|X*) break;; esac; sleep 0.2; done; kill -KILL 0
        """#

    /// What to start: the program (Chromium, or cage with Chromium inside) and its arguments,
    /// with HOME the session's folder (so `~/.pki`, `~/.config`, crash reports and the policy's
    /// `${user_home}/downloads` are all inside what the wipe removes) and TMPDIR the session's
    /// short scratch folder (removed when the browser is closed, and by the wipe).
    public static func launch(session: String, folder: URL, command: [String], environment: [String: String]) throws -> BrowserProcess {
        let home = folder.path
        var env = environment.filter { ["PATH", "DISPLAY", "WAYLAND_DISPLAY", "XDG_RUNTIME_DIR", "LANG", "XAUTHORITY", "DBUS_SESSION_BUS_ADDRESS"].contains($0.key) }
        env["HOME"] = home
        let scratch = SessionFolders.scratch(session)
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        env["TMPDIR"] = scratch.path
        env["XDG_CONFIG_HOME"] = home + "/.config"
        env["XDG_CACHE_HOME"] = home + "/.cache"
        env["XDG_DATA_HOME"] = home + "/.local/share"
        env["CHROME_CONFIG_HOME"] = home + "/.config"
        let process = Process()
        // Foundation starts a child in a process group of its own (its pid): the group to kill.
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", guardScript, "guichet-browser"] + command
        process.environment = env
        process.currentDirectoryURL = folder
        let lifeline = Pipe()
        process.standardInput = lifeline
        try process.run()
        return BrowserProcess(session: session, process: process, lifeline: lifeline)
    }

    private init(session: String, process: Process, lifeline: Pipe) {
        self.session = session
        self.process = process
        self.lifeline = lifeline
    }

    public var isRunning: Bool { process.isRunning }
    public var processGroup: pid_t { process.processIdentifier }

    /// Kills every process of the browser and waits (up to `timeout`) until none runs.
    @discardableResult
    public func kill(timeout: TimeInterval = 5) -> Bool {
        Self.killGroup(processGroup)
        try? lifeline.fileHandleForWriting.close()
        let done = Self.waitGone(group: processGroup, timeout: timeout)
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: SessionFolders.scratch(session))
        return done
    }

    static func killGroup(_ group: pid_t) {
        _ = Foundation.kill(-group, SIGKILL)
    }

    /// Waits until no live process (zombies aside) belongs to the group.
    static func waitGone(group: pid_t, timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if ProcTable.members(ofGroup: group).isEmpty { return true }
            usleep(20_000)
        }
        return ProcTable.members(ofGroup: group).isEmpty
    }

    /// Browsers left by an earlier supervisor (whatever killed it): every process group
    /// with a process whose command line names a profile under `sessions`. Killed before the
    /// new supervisor starts its own.
    public static func killOrphans(under sessions: URL) -> Int {
        let prefix = "--user-data-dir=\(sessions.path)/"
        let orphans = ProcTable.processes().filter { $0.commandLine.contains(prefix) }
        let groups = Set(orphans.map(\.group))
        for group in groups where group > 1 && group != getpgrp() {
            killGroup(group)
            _ = waitGone(group: group, timeout: 5)
        }
        // Their scratch folders too (the daemon's wipe may have run before they died).
        for process in orphans {
            guard let range = process.commandLine.range(of: prefix) else { continue }
            let session = String(process.commandLine[range.upperBound...].prefix(17))
            if StationSecrets.isSessionID(session) { try? FileManager.default.removeItem(at: SessionFolders.scratch(session)) }
        }
        return groups.count
    }
}

/// What `/proc` says of the running processes.
enum ProcTable {
    struct Entry {
        let pid: pid_t
        let group: pid_t
        let state: Character
        let commandLine: String
    }

    static func processes() -> [Entry] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return names.compactMap { name -> Entry? in
            guard let pid = pid_t(name), let stat = try? String(contentsOfFile: "/proc/\(name)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return nil }
            // After the command's name: state, ppid, pgrp, …
            let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
            guard fields.count > 3, let state = fields[0].first, let group = pid_t(fields[2]) else { return nil }
            let raw = FileManager.default.contents(atPath: "/proc/\(name)/cmdline") ?? Data()
            let commandLine = String(decoding: raw.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
            return Entry(pid: pid, group: group, state: state, commandLine: commandLine)
        }
    }

    /// The live members of a process group (zombies wait for a reaper and run nothing).
    static func members(ofGroup group: pid_t) -> [pid_t] {
        processes().filter { $0.group == group && $0.state != "Z" && $0.state != "X" }.map(\.pid)
    }
}

import ArgumentParser
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `guichet bench`: runs `guichet-bench`, the measurements' own binary built beside this one
/// (they are not linked into the daemon).
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure the agenda, the quarterly report, the console pages or the station (runs guichet-bench).",
        discussion: "Build in release mode for meaningful figures: swift build -c release && .build/release/guichet bench [agenda|report|console|station]. guichet-bench --help lists the options.")

    @Argument(parsing: .allUnrecognized, help: "Passed to guichet-bench: agenda (default), report, console or station, and their options.")
    var arguments: [String] = []

    func run() throws {
        let own = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let bench = own.deletingLastPathComponent().appendingPathComponent("guichet-bench").path
        guard FileManager.default.isExecutableFile(atPath: bench) else {
            throw ValidationError("\(bench) is missing: build it with swift build -c release --product guichet-bench")
        }
        let argv = [bench] + arguments
        let cArgs = argv.map { strdup($0) } + [nil]
        execv(bench, cArgs)
        throw ValidationError("cannot run \(bench): \(String(cString: strerror(errno)))")
    }
}

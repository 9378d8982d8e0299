import App
import ArgumentParser
import Agenda
import Foundation
import OfficeKit
import StructureConfig

/// `guichet check-config`: validates a configuration file without starting anything.
struct CheckConfig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Check a configuration file and say what is wrong with it, if anything.")

    @Argument(help: "The file to check.")
    var file = "config/guichet.json"

    func run() throws {
        // A refusal names the file, the key and the rule; it is printed without the usage text.
        let config = try GuichetConfig.load(path: file)
        let s = config.structure
        switch PrinterQueueCheck.check(config.kiosk) {
        case .fine: break
        case .unreachable(let warning): FileHandle.standardError.write(Data("\(file): \(warning)\n".utf8))
        case .unknownQueue(let error): throw ValidationFailure("\(file): \(error)")
        }
        // The daemon refuses to start on a bad token file: say so before it is started.
        if let tokenFile = config.metrics.tokenFile {
            do { _ = try MetricsAccess.load(tokenFile: tokenFile) } catch { throw ValidationFailure("\(file): \(error)") }
        }
        print("\(file): OK — \(s.name) (\(s.label.rawValue)), \(s.openingHours.weeklyMinutes / 60) h over \(s.openingHours.openDays) days, \(s.partners.count) partners, \(s.lifeSituations.count) life situations, \(s.rooms.count) rooms, \(s.stations.count) stations")
    }
}

/// A refusal printed as its sentence alone (no usage text), exit status 1.
struct ValidationFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

import Agenda
import Devices
import Foundation
import Station
import Synchronization
import Testing

/// Collects what the station records, as the database would.
final class RecordingRecorder: StationRecorder {
    let uses = Mutex<[StationUse]>([])
    let wipes = Mutex<[(WipeRecord, SessionEndReason)]>([])
    let alerts = Mutex<[String]>([])
    let helps = Mutex<[String?]>([])
    let closed = Mutex(0)

    func record(_ use: StationUse) async { uses.withLock { $0.append(use) } }
    func wiped(_ record: WipeRecord, station: String, reason: SessionEndReason) async { wipes.withLock { $0.append((record, reason)) } }
    func alert(station: String, message: String) async { alerts.withLock { $0.append(message) } }
    func help(station: String, session: String?) async { helps.withLock { $0.append(session) } }
    func closeUnfinished(station: String, at: Date) async { closed.withLock { $0 += 1 } }
}

/// A test double for a spooler that cannot be reached: the wipe cannot verify the jobs.
struct UnreachablePrinter: Printer {
    func queues() throws(PrinterError) -> [PrintQueue] { throw .server("down") }
    func submit(file: URL, queue: String, title: String) throws(PrinterError) -> PrintJob { throw .server("down") }
    func jobs(queue: String?, activeOnly: Bool) throws(PrinterError) -> [PrintJob] { throw .server("down") }
    func cancel(job: Int, queue: String, purge: Bool) throws(PrinterError) { throw .server("down") }
}

final class TestClock: Sendable {
    let now = Mutex(Date(timeIntervalSince1970: 1_790_000_000))
    func advance(_ seconds: TimeInterval) { now.withLock { $0 += seconds } }
    var read: @Sendable () -> Date { { [self] in now.withLock { $0 } } }
}

struct StationServiceTests {
    let data = FileManager.default.temporaryDirectory.appendingPathComponent("guichet-station-\(UUID().uuidString.prefix(8))")
    let recorder = RecordingRecorder()
    let clock = TestClock()

    func service(printer: (any Printer)? = nil) -> StationService {
        StationService(
            station: "poste-1", data: data, timings: KioskTimings(inactivity: 300, warning: 60),
            devices: StationDevices(printer: printer, queue: nil, scanner: nil, scannerDevice: nil, pageCap: 30), recorder: recorder,
            clock: clock.read)
    }

    @Test func aSessionEndsWipedAndTheNextOneIsPrepared() async throws {
        defer { try? FileManager.default.removeItem(at: data) }
        let station = service()
        await station.recover()
        let session = try await station.start()
        #expect(await station.status().state == "in-use")
        let folder = station.folders.folder(session)
        try Data("pdf".utf8).write(to: folder.appendingPathComponent("downloads/attestation.pdf"))
        try await station.choose(situation: "having-baby")
        try await station.opened(site: URL(string: "https://www.caf.fr/allocataires/mon-compte")!, partners: ["caf"])
        #expect(try await station.files() == [SessionFile(kind: .downloads, name: "attestation.pdf", bytes: 3)])
        await #expect(throws: StationError.notAFile("../attestation.pdf")) { try await station.file(.downloads, "../attestation.pdf") }

        clock.advance(42)
        try await station.end(.button)
        let status = await station.status()
        #expect(status.state == "idle")
        #expect(!FileManager.default.fileExists(atPath: folder.path))
        let next = try #require(status.profile)
        #expect(!next.path.contains(session))
        #expect(FileManager.default.fileExists(atPath: next.appendingPathComponent("Default/Preferences").path))
        let last = try #require(recorder.uses.withLock { $0.last })
        #expect(last.id == session && last.lifeSituations == ["having-baby"] && last.partnerSites == ["caf"])
        #expect(last.end.map { $0.timeIntervalSince(last.start) } == 42)
        #expect(recorder.wipes.withLock { $0.map(\.1) } == [.button])
        #expect(recorder.wipes.withLock { $0.allSatisfy(\.0.succeeded) })
    }

    @Test func inactivityWarnsForAtLeastTwentySecondsThenEndsTheSession() async throws {
        defer { try? FileManager.default.removeItem(at: data) }
        let station = service()
        await station.recover()
        let session = try await station.start()
        clock.advance(299)
        await station.tick()
        #expect(await station.status().state == "in-use")
        clock.advance(1)
        await station.tick()
        let warned = await station.status()
        #expect(warned.state == "warning")
        #expect(try #require(warned.warningDeadline).timeIntervalSince(clock.read()) >= 20)
        try await station.extend()
        #expect(await station.status().state == "in-use")
        clock.advance(300)
        await station.tick()
        clock.advance(60)
        await station.tick()
        #expect(await station.status().state == "idle")
        #expect(recorder.wipes.withLock { $0.map(\.1) } == [.inactivity])
        #expect(!FileManager.default.fileExists(atPath: station.folders.folder(session).path))
    }

    @Test func aRestartWipesWhatACrashLeft() async throws {
        defer { try? FileManager.default.removeItem(at: data) }
        let folders = SessionFolders(data: data, station: "poste-1")
        let left = try folders.create("kcrashed")
        try Data("scan".utf8).write(to: left.appendingPathComponent("scans/numerisation-1.pdf"))
        let station = service()
        await station.recover()
        #expect(!FileManager.default.fileExists(atPath: left.path))
        #expect(recorder.wipes.withLock { $0.map(\.1) } == [.restart])
        #expect(recorder.closed.withLock { $0 } == 1)
        #expect(await station.status().state == "idle")
    }

    @Test func aWipeThatCannotBeVerifiedKeepsTheStationOutOfServiceAndAlerts() async throws {
        defer { try? FileManager.default.removeItem(at: data) }
        let station = service(printer: UnreachablePrinter())
        await station.recover()
        // A session that printed nothing is wiped without asking the spooler…
        try await station.start()
        try await station.end(.button)
        #expect(await station.status().state == "idle")
        // …one that tried to print cannot be verified while the spooler is down.
        let session = try await station.start()
        try Data("%PDF-1.4 /Type /Page".utf8).write(to: station.folders.folder(session).appendingPathComponent("downloads/a.pdf"))
        await #expect(throws: StationError.printer(.server("down"))) { try await station.print(.downloads, "a.pdf") }
        try await station.end(.button)
        #expect(await station.status().state == "out-of-service")
        #expect(recorder.alerts.withLock { $0.count } == 1)
        #expect(recorder.alerts.withLock { $0.first?.contains("hors service") == true })
        await #expect(throws: StationError.self) { try await station.start() }
        try await station.reset()
        #expect(await station.status().state == "idle")
    }

    @Test func withASupervisorTheWipeWaitsForTheBrowserToClose() async throws {
        defer { try? FileManager.default.removeItem(at: data) }
        let station = service()
        await station.recover()
        await station.attachSupervisor()
        let session = try await station.start()
        try await station.end(.button)
        let ending = await station.status()
        #expect(ending.state == "ending" && ending.closeBrowser)
        #expect(FileManager.default.fileExists(atPath: station.folders.folder(session).path))
        try await station.browserClosed()
        #expect(await station.status().state == "idle")
        #expect(await station.status().closeBrowser == false)
        #expect(!FileManager.default.fileExists(atPath: station.folders.folder(session).path))
    }

    @Test func helpIsRecordedWithTheSession() async throws {
        defer { try? FileManager.default.removeItem(at: data) }
        let station = service()
        await station.recover()
        let session = try await station.start()
        await station.requestHelp()
        try await station.end(.button)
        #expect(recorder.helps.withLock { $0 } == [session])
        #expect(recorder.uses.withLock { $0.last?.helpRequested } == true)
    }
}

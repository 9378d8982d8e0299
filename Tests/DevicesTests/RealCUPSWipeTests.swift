import Devices
import Foundation
import Station
import Testing

/// The session wipe against a real, private cupsd: a session's waiting job and its spool
/// files are gone afterwards, another session's job is untouched.
@Suite(.serialized) struct RealCUPSWipeTests {
    @Test func theWipeCancelsAndPurgesTheSessionsJobsOnly() throws {
        let cups = try PrivateCUPS.running(queue: "accueil")
        defer { cups.stop() }
        let printer = CupsPrinter(server: cups.server)
        try Data().write(to: cups.block)
        let folders = SessionFolders(data: cups.root.appendingPathComponent("data"), station: "poste-1")
        let folder = try folders.create("s-9")
        folders.markPrinting("s-9")
        let file = folder.appendingPathComponent("print/attestation.pdf")
        try samplePDF(pages: 1).write(to: file)
        let mine = try printer.submit(file: file, queue: "accueil", title: SessionWiper.jobTitle("s-9"))
        let other = try printer.submit(file: file, queue: "accueil", title: SessionWiper.jobTitle("s-10"))
        let record = SessionWiper(folders: folders, printer: printer).wipe("s-9")
        #expect(record.succeeded, "\(record.leftovers)")
        #expect(!FileManager.default.fileExists(atPath: folder.path))
        let deadline = Date().addingTimeInterval(10)
        while !cups.spoolFiles(job: mine.id).isEmpty && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        #expect(cups.spoolFiles(job: mine.id).isEmpty)
        #expect(try printer.jobs(queue: "accueil", activeOnly: false).map(\.id).contains(other.id))
        #expect(!cups.spoolFiles(job: other.id).isEmpty)
    }
}

import Devices
import Foundation
import Testing

/// Printing through a real, private cupsd (integration: needs Debian's `cups` and root).
@Suite(.serialized) struct RealCUPSPrinterTests {
    func waitFor(_ seconds: Double = 15, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return false
    }

    @Test func aPrintReachesThePrinterAndAStoppedQueueIsRefused() throws {
        let cups = try PrivateCUPS.running(queue: "accueil")
        defer { cups.stop() }
        let printer = CupsPrinter(server: cups.server)
        #expect(try printer.queues().map(\.name) == ["accueil"])
        #expect(try printer.queues().first?.state == .idle)

        let file = cups.root.appendingPathComponent("attestation.pdf")
        try samplePDF(pages: 2).write(to: file)
        #expect(PDFPages.count(try Data(contentsOf: file)) == 2)
        let job = try printer.submit(file: file, queue: "accueil", title: "guichet-s-1")
        let output = cups.out.appendingPathComponent("job-\(job.id).out")
        #expect(waitFor { FileManager.default.fileExists(atPath: output.path) && (try? Data(contentsOf: output)) == (try? Data(contentsOf: file)) }, "\(cups.log())")

        try cups.run("/usr/sbin/cupsdisable", ["-h", cups.server, "accueil"])
        #expect(try printer.queues().first?.state == .stopped)
        #expect(throws: PrinterError.queueStopped("accueil")) { try printer.submit(file: file, queue: "accueil", title: "guichet-s-1") }
        #expect(throws: PrinterError.noQueue("ailleurs")) { try printer.submit(file: file, queue: "ailleurs", title: "guichet-s-1") }
        #expect(PrinterError.queueStopped("accueil").french.contains("arrêtée"))
    }

    @Test func cancellingWithPurgeLeavesNoJobNorFileInCUPS() throws {
        let cups = try PrivateCUPS.running(queue: "accueil")
        defer { cups.stop() }
        let printer = CupsPrinter(server: cups.server)
        try Data().write(to: cups.block)  // the printer "works" slowly: the job stays in processing
        let file = cups.root.appendingPathComponent("releve.pdf")
        try samplePDF(pages: 1).write(to: file)
        let job = try printer.submit(file: file, queue: "accueil", title: "guichet-s-2")
        #expect(try waitFor { try printer.jobs(queue: "accueil", activeOnly: true).contains { $0.id == job.id && $0.state == .processing } }, "\(cups.log())")
        #expect(!cups.spoolFiles(job: job.id).isEmpty)

        try printer.cancel(job: job.id, queue: "accueil", purge: true)
        try FileManager.default.removeItem(at: cups.block)
        // With the job history kept (Debian's default, and this cupsd's), a job cancelled while
        // printing stays listed, its control file with it, until it is purged again once
        // stopped: what `SessionWiper.purgeJobs` does.
        #expect(try waitFor {
            let listed = try printer.jobs(queue: "accueil", activeOnly: false).filter { $0.id == job.id }
            for stale in listed { try? printer.cancel(job: stale.id, queue: stale.queue, purge: true) }
            return listed.isEmpty
        })
        #expect(waitFor { cups.spoolFiles(job: job.id).isEmpty })
        #expect(try printer.jobs(queue: "accueil", activeOnly: false).allSatisfy { $0.id != job.id })
        Thread.sleep(forTimeInterval: 0.5)
        #expect(!FileManager.default.fileExists(atPath: cups.out.appendingPathComponent("job-\(job.id).out").path))
    }
}

import CCups
import Foundation

/// `Printer` over libcups. Every call opens its own HTTP connection to the configured
/// server (so that libcups's per-thread defaults never leak between callers) and reads the
/// error of that very call.
public final class CupsPrinter: Printer {
    /// `host:port` of cupsd, or nil for the system's default.
    let server: String?

    public init(server: String? = nil) {
        self.server = server
    }

    private func connect() throws(PrinterError) -> OpaquePointer {
        let (host, port): (String, Int32)
        if let server, let colon = server.lastIndex(of: ":"), let p = Int32(server[server.index(after: colon)...]) {
            (host, port) = (String(server[..<colon]), p)
        } else {
            (host, port) = (String(cString: cupsServer()), ippPort())
        }
        guard let http = httpConnect2(host, port, nil, AF_UNSPEC, HTTP_ENCRYPTION_IF_REQUESTED, 1, 5000, nil) else {
            throw .server("cannot reach cupsd at \(host):\(port)")
        }
        return http
    }

    private static func lastError() -> String { String(cString: cupsLastErrorString()) }

    /// The queues, by a CUPS-Get-Printers request (cupsGetDests would also browse the
    /// network for printers, which the station must not wait for).
    public func queues() throws(PrinterError) -> [PrintQueue] {
        let http = try connect()
        defer { httpClose(http) }
        let request = ippNewRequest(IPP_OP_CUPS_GET_PRINTERS)
        guard let response = cupsDoRequest(http, request, "/") else {
            if cupsLastError() == IPP_STATUS_ERROR_NOT_FOUND { return [] }
            throw .server(Self.lastError())
        }
        defer { ippDelete(response) }
        var result: [PrintQueue] = []
        var name: String?, state = PrintQueue.State.unknown, reasons: [String] = [], accepting = true
        func flush() {
            if let name { result.append(PrintQueue(name: name, state: state, reasons: reasons, accepting: accepting)) }
            name = nil; state = .unknown; reasons = []; accepting = true
        }
        var attribute = ippFirstAttribute(response)
        while let a = attribute {
            if let raw = ippGetName(a) {
                switch String(cString: raw) {
                case "printer-name": name = ippGetString(a, 0, nil).map { String(cString: $0) }
                case "printer-state":
                    state = switch ippGetInteger(a, 0) { case 3: .idle; case 4: .processing; case 5: .stopped; default: .unknown }
                case "printer-state-reasons":
                    reasons = (0..<ippGetCount(a)).compactMap { ippGetString(a, $0, nil).map { String(cString: $0) } }.filter { $0 != "none" }
                case "printer-is-accepting-jobs": accepting = ippGetBoolean(a, 0) != 0
                default: break
                }
            } else {
                flush()  // a separator between printers
            }
            attribute = ippNextAttribute(response)
        }
        flush()
        return result.sorted { $0.name < $1.name }
    }

    public func submit(file: URL, queue: String, title: String) throws(PrinterError) -> PrintJob {
        guard let target = try queues().first(where: { $0.name == queue }) else { throw .noQueue(queue) }
        if target.state == .stopped { throw .queueStopped(queue) }
        if target.offline { throw .printerOffline(queue) }
        if !target.accepting { throw .notAccepting(queue) }
        let http = try connect()
        defer { httpClose(http) }
        // A Print-Job request built here: cupsPrintFile2 resolves the queue through the
        // default server, not the connection it is given.
        let request = ippNewRequest(IPP_OP_PRINT_JOB)
        ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", nil, "ipp://localhost/printers/\(queue)")
        ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", nil, cupsUser())
        ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_NAME, "job-name", nil, title)
        guard let response = cupsDoFileRequest(http, request, "/printers/\(queue)", file.path) else { throw .submitFailed(Self.lastError()) }
        defer { ippDelete(response) }
        guard ippGetStatusCode(response).rawValue <= IPP_STATUS_OK_EVENTS_COMPLETE.rawValue,
            let attribute = ippFindAttribute(response, "job-id", IPP_TAG_INTEGER)
        else { throw .submitFailed(Self.lastError()) }
        return PrintJob(id: Int(ippGetInteger(attribute, 0)), queue: queue, title: title, state: .pending)
    }

    public func jobs(queue: String?, activeOnly: Bool) throws(PrinterError) -> [PrintJob] {
        // Without a queue, libcups would look up a default destination (and may browse the
        // network for one): ask each known queue instead.
        guard let queue else {
            var all: [PrintJob] = []
            for q in try queues() { all += try jobs(queue: q.name, activeOnly: activeOnly) }
            return all
        }
        let http = try connect()
        defer { httpClose(http) }
        var jobs: UnsafeMutablePointer<cups_job_t>?
        let count = cupsGetJobs2(http, &jobs, queue, 0, activeOnly ? CUPS_WHICHJOBS_ACTIVE : CUPS_WHICHJOBS_ALL)
        defer { cupsFreeJobs(count, jobs) }
        guard count >= 0 else { throw .server(Self.lastError()) }
        guard let jobs else { return [] }
        return (0..<Int(count)).map { i in
            let job = jobs[i]
            let state: PrintJob.State =
                switch job.state {
                case IPP_JSTATE_PENDING: .pending
                case IPP_JSTATE_HELD: .held
                case IPP_JSTATE_PROCESSING: .processing
                case IPP_JSTATE_STOPPED: .stopped
                case IPP_JSTATE_CANCELED: .canceled
                case IPP_JSTATE_ABORTED: .aborted
                case IPP_JSTATE_COMPLETED: .completed
                default: .unknown
                }
            return PrintJob(
                id: Int(job.id), queue: job.dest.map { String(cString: $0) } ?? "", title: job.title.map { String(cString: $0) } ?? "", state: state)
        }
    }

    public func cancel(job: Int, queue: String, purge: Bool) throws(PrinterError) {
        let http = try connect()
        defer { httpClose(http) }
        let status = cupsCancelJob2(http, queue, Int32(job), purge ? 1 : 0)
        // Cancelling a job that already finished is not an error for the wipe.
        if status.rawValue > IPP_STATUS_OK_EVENTS_COMPLETE.rawValue && status != IPP_STATUS_ERROR_NOT_POSSIBLE && status != IPP_STATUS_ERROR_NOT_FOUND {
            throw .server(Self.lastError())
        }
    }
}

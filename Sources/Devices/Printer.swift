import Foundation

/// A print queue as the station sees it.
public struct PrintQueue: Sendable, Equatable {
    public enum State: String, Sendable { case idle, processing, stopped, unknown }
    public let name: String
    public let state: State
    /// CUPS's printer-state-reasons, such as `offline-report` or `media-empty-error`.
    public let reasons: [String]
    public let accepting: Bool

    public init(name: String, state: State, reasons: [String], accepting: Bool) {
        self.name = name
        self.state = state
        self.reasons = reasons
        self.accepting = accepting
    }

    /// The printer reports itself offline or unreachable.
    public var offline: Bool { reasons.contains { $0.hasPrefix("offline") || $0.hasPrefix("connecting-to-device") } }
}

/// A job submitted by the station, followed until it ends.
public struct PrintJob: Sendable, Equatable {
    public enum State: String, Sendable { case pending, held, processing, stopped, canceled, aborted, completed, unknown }
    public let id: Int
    public let queue: String
    public let title: String
    public let state: State

    public init(id: Int, queue: String, title: String, state: State) {
        self.id = id
        self.queue = queue
        self.title = title
        self.state = state
    }

    public var finished: Bool { [.canceled, .aborted, .completed].contains(state) }
}

/// Why printing failed, with the French sentence shown at the station.
public enum PrinterError: Error, Equatable, Sendable {
    case noQueue(String)
    case queueStopped(String)
    case printerOffline(String)
    case notAccepting(String)
    case pageCapReached(allowed: Int, requested: Int)
    case unreadableDocument
    case submitFailed(String)
    case server(String)

    public var french: String {
        switch self {
        case .noQueue(let q): "L’imprimante « \(q) » est introuvable. Un agent peut vous aider."
        case .queueStopped: "L’imprimante est arrêtée pour le moment. Votre document n’a pas été envoyé ; un agent peut vous aider."
        case .printerOffline: "L’imprimante ne répond pas (éteinte ou débranchée). Votre document n’a pas été envoyé ; un agent peut vous aider."
        case .notAccepting: "L’imprimante n’accepte pas de documents pour le moment. Un agent peut vous aider."
        case .pageCapReached(let allowed, let requested):
            "Ce document compte \(requested) page(s) ; il vous reste \(allowed) page(s) à imprimer pendant cette session. Demandez à un agent."
        case .unreadableDocument: "Ce document ne peut pas être imprimé (format non reconnu)."
        case .submitFailed: "L’impression a échoué. Votre document est conservé pour cette session ; un agent peut vous aider."
        case .server: "Le service d’impression ne répond pas. Un agent peut vous aider."
        }
    }
}

/// Printing, as the station needs it. The real implementation is `CupsPrinter`.
public protocol Printer: Sendable {
    func queues() throws(PrinterError) -> [PrintQueue]
    /// Submits a file; refuses first when the queue is stopped, offline or not accepting,
    /// so a job is never silently left in a dead queue.
    func submit(file: URL, queue: String, title: String) throws(PrinterError) -> PrintJob
    func jobs(queue: String?, activeOnly: Bool) throws(PrinterError) -> [PrintJob]
    /// Cancels a job and, with `purge`, removes its files and history from the spooler.
    func cancel(job: Int, queue: String, purge: Bool) throws(PrinterError)
}

/// Counts a PDF's pages without a PDF library: every page object carries `/Type /Page`.
public enum PDFPages {
    public static func count(_ data: Data) -> Int? {
        guard data.starts(with: Array("%PDF-".utf8)) else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        let pages = text.matches(of: /\/Type\s*\/Page(?![a-zA-Z])/).count
        return pages > 0 ? pages : nil
    }
}

import Foundation

/// A scanner as SANE names it. The station shows `label`; `name` is what SANE opens.
public struct ScannerDevice: Sendable, Equatable {
    public let name: String
    public let vendor: String
    public let model: String
    public let type: String

    public init(name: String, vendor: String, model: String, type: String) {
        self.name = name
        self.vendor = vendor
        self.model = model
        self.type = type
    }

    public var label: String { "\(vendor) \(model)" }
}

/// What the usager chooses before scanning.
public struct ScanSettings: Sendable, Equatable {
    public enum Source: String, Sendable, CaseIterable { case flatbed, feeder }
    public enum Colour: String, Sendable, CaseIterable { case colour, gray }

    public static let resolutions = [150, 200, 300, 600]
    public let resolution: Int
    public let colour: Colour
    public let source: Source
    /// The feeder scans until it is empty, at most this many pages; the flatbed scans one.
    public let maxPages: Int

    public init(resolution: Int, colour: Colour, source: Source, maxPages: Int = 50) throws(ScannerError) {
        guard Self.resolutions.contains(resolution) else { throw .invalidSetting("resolution \(resolution)") }
        guard (1...200).contains(maxPages) else { throw .invalidSetting("maxPages \(maxPages)") }
        self.resolution = resolution
        self.colour = colour
        self.source = source
        self.maxPages = source == .flatbed ? 1 : maxPages
    }
}

/// A finished scan: one PDF, complete, in the session's scans folder, and a small JPEG
/// preview of each page.
public struct ScannedDocument: Sendable, Equatable {
    public let pdf: URL
    public let pages: Int
    public let previews: [URL]
}

/// Why a scan failed, with the French sentence shown at the station.
public enum ScannerError: Error, Equatable, Sendable {
    case noDevice
    case feederEmpty
    case jammed
    case coverOpen
    case busy
    case ioError
    case cancelled
    case unsupported(String)
    case invalidSetting(String)
    case failed(String)

    public var french: String {
        switch self {
        case .noDevice: "Aucun scanner n’est disponible. Un agent peut vous aider."
        case .feederEmpty: "Le chargeur est vide : posez vos feuilles dans le chargeur, face imprimée vers le haut, puis recommencez."
        case .jammed: "Une feuille est coincée dans le scanner. Appelez un agent : il va la retirer."
        case .coverOpen: "Le capot du scanner est ouvert. Refermez-le, puis recommencez."
        case .busy: "Le scanner est occupé. Patientez un instant, puis recommencez."
        case .ioError: "Le scanner ne répond pas (câble ou alimentation). Un agent peut vous aider."
        case .cancelled: "La numérisation a été annulée. Aucun fichier n’a été gardé."
        case .unsupported: "Ce réglage n’est pas possible avec ce scanner. Essayez un autre réglage."
        case .invalidSetting: "Ce réglage n’est pas possible. Choisissez une autre résolution ou un autre mode."
        case .failed: "La numérisation a échoué. Aucun fichier n’a été gardé ; un agent peut vous aider."
        }
    }
}

/// Scanning, as the station needs it. The real implementation is `SaneScanner`.
public protocol DocumentScanner: Sendable {
    func devices() throws(ScannerError) -> [ScannerDevice]
    /// Scans into `folder/name.pdf`; the file appears only once complete (written in
    /// `workFolder`, then moved), so nothing half-written is ever offered.
    func scan(device: String, settings: ScanSettings, into folder: URL, name: String, workFolder: URL) throws(ScannerError) -> ScannedDocument
}

import Agenda
import Devices
import Foundation
import Synchronization

/// Where the station's facts go: the database in the daemon, an array in the tests.
/// Nothing here carries what the usager did on a site, typed, printed or scanned.
public protocol StationRecorder: Sendable {
    func record(_ use: StationUse) async
    func wiped(_ record: WipeRecord, station: String, reason: SessionEndReason) async
    func alert(station: String, message: String) async
    func help(station: String, session: String?) async
    func closeUnfinished(station: String, at: Date) async
}

/// The station's devices and limits, from the configuration.
public struct StationDevices: Sendable {
    public var printer: (any Printer)?
    public var queue: String?
    public var scanner: (any DocumentScanner)?
    public var scannerDevice: String?
    public var pageCap: Int

    public init(printer: (any Printer)?, queue: String?, scanner: (any DocumentScanner)?, scannerDevice: String?, pageCap: Int) {
        self.printer = printer
        self.queue = queue
        self.scanner = scanner
        self.scannerDevice = scannerDevice
        self.pageCap = pageCap
    }
}

/// What the station UI shows: the state, the warning's deadline, what is left to print.
public struct StationStatus: Sendable, Equatable {
    public let state: String
    public let session: String?
    /// The session prepared for the next start (its folder and browser profile exist).
    public let next: String?
    public let warningDeadline: Date?
    public let pagesLeft: Int
    public let outOfService: String?
    /// The browser of this session must close (a supervisor, `guichet station`, does it).
    public let closeBrowser: Bool
    /// The profile folder of the session in use or about to start.
    public let profile: URL?
}

/// A file of the session the usager may print or send: a download or a scan.
public struct SessionFile: Sendable, Equatable {
    public enum Kind: String, Sendable { case downloads, scans }
    public let kind: Kind
    public let name: String
    public let bytes: Int

    public init(kind: Kind, name: String, bytes: Int) {
        self.kind = kind
        self.name = name
        self.bytes = bytes
    }
}

public enum StationError: Error, Equatable, Sendable {
    case noSession
    case notAFile(String)
    case printer(PrinterError)
    case scanner(ScannerError)
    case transition(KioskTransitionError)

    public var french: String {
        switch self {
        case .noSession: "Aucune session n’est ouverte sur ce poste. Appuyez sur « Commencer »."
        case .notAFile: "Ce document n’existe pas dans votre session."
        case .printer(let e): e.french
        case .scanner(let e): e.french
        case .transition: "Cette action n’est pas possible maintenant."
        }
    }
}

/// One self-service station: its session state machine, its session's figures, printing,
/// scanning and the wipe. All blocking device work runs off the actor's executor.
public actor StationService {
    public nonisolated let station: String
    public nonisolated let folders: SessionFolders
    private let wiper: SessionWiper
    private let devices: StationDevices
    private let recorder: any StationRecorder
    private let clock: @Sendable () -> Date
    private var machine: KioskMachine
    private let nextID: NextID
    private var use: Usage?
    private var closeRequested = false
    /// The usager is on a partner site, where our pages cannot see the input: the browser's
    /// own idle policy watches there, and the daemon's clock waits for the usager's return.
    private var away = false
    /// True once `guichet station` runs the browser: the wipe then waits for it to close.
    private var supervised = false
    public private(set) var lastWipe: WipeRecord?

    /// The session id handed out at the next start; its folder (and browser profile) are
    /// prepared while the station waits, so the browser showing the welcome page is the
    /// session's own.
    final class NextID: Sendable {
        let value = Mutex(StationService.newID())
        func take() -> String { value.withLock { $0 } }
        func renew() -> String { value.withLock { $0 = StationService.newID(); return $0 } }
    }

    struct Usage {
        let id: String
        let start: Date
        var situations: [String] = []
        /// Partner ids of the sites opened.
        var sites: [String] = []
        var printed = 0
        var scanned = 0
        var help = false
    }

    public init(
        station: String, data: URL, timings: KioskTimings, devices: StationDevices, recorder: any StationRecorder,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.station = station
        folders = SessionFolders(data: data, station: station)
        wiper = SessionWiper(folders: folders, printer: devices.printer)
        self.devices = devices
        self.recorder = recorder
        self.clock = clock
        let next = NextID()
        nextID = next
        machine = KioskMachine(timings: timings) { next.take() }
    }

    static func newID() -> String { "k" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased() }

    // MARK: lifecycle

    /// At daemon start: every session folder still on disk (a crash, a kill) is wiped
    /// before anyone is served, then the next session is prepared.
    public func recover() async {
        await recorder.closeUnfinished(station: station, at: clock())
        let leftovers = folders.leftovers()
        for session in leftovers {
            await perform(try? machine.handle(.recover(unfinishedSession: session), now: clock()))
            if case .outOfService = machine.state { return }
        }
        if leftovers.isEmpty { await perform(try? machine.handle(.recover(unfinishedSession: nil), now: clock())) }
    }

    @discardableResult
    public func start() async throws(StationError) -> String {
        try await handle(.start)
        guard let session = machine.state.session else { throw .noSession }
        return session
    }

    public func activity() async throws(StationError) {
        away = false
        try await handle(.activity)
    }

    public func extend() async throws(StationError) {
        away = false
        try await handle(.extend)
    }

    public func tick() async {
        if away, case .inUse = machine.state { return }
        await perform(try? machine.handle(.tick, now: clock()))
    }
    public func end(_ reason: SessionEndReason) async throws(StationError) { try await handle(.end(reason)) }
    public func browserClosed() async throws(StationError) { try await handle(.browserClosed) }
    public func reset() async throws(StationError) { try await handle(.reset) }

    /// `guichet station` announces itself: from now on the wipe waits for the browser to close.
    public func attachSupervisor() { supervised = true }

    public func status() -> StationStatus {
        let deadline: Date? = if case .warning(_, let d) = machine.state { d } else { nil }
        let reason: String? = if case .outOfService(let why) = machine.state { why } else { nil }
        let session = machine.state.session ?? (reason == nil ? nextID.take() : nil)
        return StationStatus(
            state: machine.state.name, session: machine.state.session, next: machine.state == .idle ? nextID.take() : nil, warningDeadline: deadline,
            pagesLeft: max(0, devices.pageCap - (use?.printed ?? 0)), outOfService: reason, closeBrowser: closeRequested,
            profile: session.map { folders.folder($0).appendingPathComponent("profile") })
    }

    private func handle(_ event: KioskEvent) async throws(StationError) {
        do {
            await perform(try machine.handle(event, now: clock()))
        } catch {
            throw .transition(error)
        }
    }

    private func perform(_ effects: [KioskEffect]?) async {
        for effect in effects ?? [] {
            switch effect {
            case .openSession(let id):
                away = false
                _ = try? folders.create(id)
                use = Usage(id: id, start: clock())
                await recorder.record(currentUse(end: nil))
            case .closeBrowser:
                if supervised {
                    closeRequested = true
                } else {
                    await perform(try? machine.handle(.browserClosed, now: clock()))
                }
            case .wipe(let session, let reason):
                closeRequested = false
                if let use, use.id == session { await recorder.record(currentUse(end: clock())) }
                use = nil
                let record = wiper.wipe(session, now: clock())
                lastWipe = record
                await recorder.wiped(record, station: station, reason: reason)
                let event: KioskEvent = record.succeeded ? .wipeSucceeded : .wipeFailed(record.leftovers.joined(separator: ", "))
                await perform(try? machine.handle(event, now: clock()))
            case .ready:
                prepare(nextID.renew())
            case .alertAgents(let message):
                await recorder.alert(station: station, message: message)
            case .showWarning, .hideWarning:
                break  // the station UI polls the status
            }
        }
    }

    /// The next session's folder, with a browser profile set to download into the session
    /// and to open the file chooser on its scans.
    private func prepare(_ session: String) {
        guard let folder = try? folders.create(session) else { return }
        BrowserProfile.write(into: folder)
    }

    private func currentUse(end: Date?) -> StationUse {
        let u = use ?? Usage(id: "", start: clock())
        return StationUse(
            id: u.id, station: station, start: u.start, end: end, lifeSituations: u.situations, partnerSites: u.sites, pagesPrinted: u.printed,
            pagesScanned: u.scanned, helpRequested: u.help, accompanied: false)
    }

    private func requireSession() throws(StationError) -> String {
        guard let id = use?.id, machine.state.session == id else { throw .noSession }
        return id
    }

    // MARK: what the usager does

    public func choose(situation: String) throws(StationError) {
        _ = try requireSession()
        if !use!.situations.contains(situation) { use!.situations.append(situation) }
    }

    /// A site of the catalogue was opened: the session counts the partners it belongs to
    /// (what the reports ask: "visitors who used Caf online services"), never a path.
    public func opened(site: URL, partners: [String]) throws(StationError) {
        _ = try requireSession()
        for partner in partners where !use!.sites.contains(partner) { use!.sites.append(partner) }
        away = true
    }

    public func requestHelp() async {
        let session = machine.state.session
        if session != nil { use?.help = true }
        await recorder.help(station: station, session: session)
    }

    public func files() throws(StationError) -> [SessionFile] {
        let folder = folders.folder(try requireSession())
        return [SessionFile.Kind.downloads, .scans].flatMap { kind in
            let dir = folder.appendingPathComponent(kind.rawValue)
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { !$0.hasPrefix(".") && !$0.hasSuffix(".crdownload") }
            return names.sorted().map { name in
                let size = (try? FileManager.default.attributesOfItem(atPath: dir.appendingPathComponent(name).path)[.size] as? Int) ?? 0
                return SessionFile(kind: kind, name: name, bytes: size ?? 0)
            }
        }
    }

    /// The file's URL if it is one of the session's files (names only: no path escapes).
    public func file(_ kind: SessionFile.Kind, _ name: String) throws(StationError) -> URL {
        let folder = folders.folder(try requireSession()).appendingPathComponent(kind.rawValue)
        guard !name.contains("/"), !name.hasPrefix("."), FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path) else {
            throw .notAFile(name)
        }
        return folder.appendingPathComponent(name)
    }

    public func preview(_ name: String) throws(StationError) -> URL {
        let url = folders.folder(try requireSession()).appendingPathComponent("tmp").appendingPathComponent(name)
        guard name.hasSuffix(".jpg"), !name.contains("/"), FileManager.default.fileExists(atPath: url.path) else { throw .notAFile(name) }
        return url
    }

    /// Prints one of the session's files, within the session's page cap.
    public func print(_ kind: SessionFile.Kind, _ name: String) async throws(StationError) -> PrintJob {
        let session = try requireSession()
        let url = try file(kind, name)
        guard let printer = devices.printer else { throw .printer(.server("no printer configured")) }
        let pages: Int
        switch url.pathExtension.lowercased() {
        case "pdf":
            guard let data = try? Data(contentsOf: url), let n = PDFPages.count(data) else { throw .printer(.unreadableDocument) }
            pages = n
        case "jpg", "jpeg", "png":
            pages = 1
        default:
            throw .printer(.unreadableDocument)
        }
        let left = devices.pageCap - (use?.printed ?? 0)
        guard pages <= left else { throw .printer(.pageCapReached(allowed: max(0, left), requested: pages)) }
        let queue = devices.queue
        folders.markPrinting(session)
        let result: Result<PrintJob, PrinterError> = await Self.offExecutor {
            do throws(PrinterError) {
                var target = queue
                if target == nil { target = try printer.queues().first?.name }
                guard let target else { throw PrinterError.noQueue("—") }
                return .success(try printer.submit(file: url, queue: target, title: SessionWiper.jobTitle(session)))
            } catch {
                return .failure(error)
            }
        }
        let job = try result.mapError(StationError.printer).get()
        if use?.id == session { use?.printed += pages }
        return job
    }

    /// Cancels one of the session's own jobs (never another session's).
    public func cancelPrint(job id: Int) async throws(StationError) {
        let jobs = try await printJobs()
        guard let job = jobs.first(where: { $0.id == id }), let printer = devices.printer else { throw .notAFile("\(id)") }
        let result: Result<Void, PrinterError> = await Self.offExecutor {
            do throws(PrinterError) {
                return .success(try printer.cancel(job: job.id, queue: job.queue, purge: true))
            } catch {
                return .failure(error)
            }
        }
        try result.mapError(StationError.printer).get()
    }

    /// The session's print jobs and their states.
    public func printJobs() async throws(StationError) -> [PrintJob] {
        let session = try requireSession()
        guard let printer = devices.printer else { return [] }
        let result: Result<[PrintJob], PrinterError> = await Self.offExecutor {
            do throws(PrinterError) {
                return .success(try printer.jobs(queue: nil, activeOnly: false).filter { $0.title == SessionWiper.jobTitle(session) })
            } catch {
                return .failure(error)
            }
        }
        return try result.mapError(StationError.printer).get()
    }

    /// Scans into the session's scans folder; the PDF appears there only once complete.
    public func scan(_ settings: ScanSettings) async throws(StationError) -> ScannedDocument {
        let session = try requireSession()
        guard let scanner = devices.scanner else { throw .scanner(.noDevice) }
        let folder = folders.folder(session)
        let name = "numerisation-\((use?.scanned ?? 0) + 1)-\(Int(clock().timeIntervalSince1970) % 100_000)"
        let chosen = devices.scannerDevice
        let result: Result<ScannedDocument, ScannerError> = await Self.offExecutor {
            do throws(ScannerError) {
                var device = chosen
                if device == nil { device = try scanner.devices().first?.name }
                guard let device else { throw ScannerError.noDevice }
                return .success(
                    try scanner.scan(
                        device: device, settings: settings, into: folder.appendingPathComponent("scans"), name: name,
                        workFolder: folder.appendingPathComponent("tmp")))
            } catch {
                return .failure(error)
            }
        }
        let document = try result.mapError(StationError.scanner).get()
        if use?.id == session { use?.scanned += document.pages }
        return document
    }

    /// Blocking device calls run on a dispatch thread, not on Swift's small cooperative pool.
    private static func offExecutor<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async { continuation.resume(returning: work()) }
        }
    }
}

/// The browser profile prepared for a session: downloads go to the session's folder, the
/// file chooser opens on its scans, nothing is saved for later.
public enum BrowserProfile {
    public static func write(into session: URL) {
        let preferences: [String: Any] = [
            "download": ["default_directory": session.appendingPathComponent("downloads").path, "prompt_for_download": false, "directory_upgrade": true],
            "savefile": ["default_directory": session.appendingPathComponent("downloads").path],
            "selectfile": ["last_directory": session.appendingPathComponent("scans").path],
            "credentials_enable_service": false,
            "profile": ["password_manager_enabled": false],
            "autofill": ["profile_enabled": false, "credit_card_enabled": false],
            "intl": ["accept_languages": "fr-FR,fr,en"],
        ]
        let dir = session.appendingPathComponent("profile/Default")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        if let data = try? JSONSerialization.data(withJSONObject: preferences, options: [.sortedKeys]) {
            try? data.write(to: dir.appendingPathComponent("Preferences"))
        }
    }
}

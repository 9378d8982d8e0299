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
    /// The profile folder of the session in use or about to start.
    public let profile: URL?
}

/// What the supervisor is to do with its browser.
public enum SupervisorOrder: Sendable, Equatable {
    case keep
    case close
    /// Nothing to do until the wipe is over.
    case wait
    /// Start a browser on this session's profile, opening the ticket's page.
    case launch(session: String, ticket: String)
}

/// The secret a session's browser carries in its cookie, and the ticket that gives it once.
struct SessionBinding: Sendable {
    let secret: String
    var ticket: String?
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
    /// The usager is on a partner site, where our pages cannot see the input: the browser's
    /// own idle policy watches there, and the daemon's clock waits for the usager's return.
    private var away = false
    /// When `guichet station` last said which browser it runs. While it keeps saying so, the
    /// wipe waits for that browser to close; once it falls silent for `supervisorTimeout`, its
    /// browser died with it and the daemon ends and wipes the session itself.
    private var supervisorSeen: Date?
    public nonisolated let supervisorTimeout: TimeInterval
    /// Each session's browser proves itself with a secret cookie it received by redeeming a
    /// one-time ticket the supervisor put on its command line; no other local client has it.
    private var bindings: [String: SessionBinding] = [:]
    /// The session answered the satisfaction question already (a double tap counts once).
    private var answered: Set<String> = []
    public private(set) var lastWipe: WipeRecord?
    private var supervised: Bool { supervisorSeen != nil }

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
        var language: String?
    }

    public init(
        station: String, data: URL, timings: KioskTimings, devices: StationDevices, recorder: any StationRecorder,
        supervisorTimeout: TimeInterval = 5, clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.station = station
        self.supervisorTimeout = supervisorTimeout
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
        if let seen = supervisorSeen, clock().timeIntervalSince(seen) > supervisorTimeout {
            // The supervisor is gone and its browser with it (it dies with its parent): the
            // session cannot go on, and nothing is left to wait for before the wipe.
            supervisorSeen = nil
            switch machine.state {
            case .inUse, .warning, .ending:
                // Unsupervised now, ending closes no browser: the wipe follows at once.
                await perform(try? machine.handle(.end(.restart), now: clock()))
                await perform(try? machine.handle(.browserClosed, now: clock()))
            default:
                await renewPrepared()
            }
        }
        if away, case .inUse = machine.state { return }
        await perform(try? machine.handle(.tick, now: clock()))
    }
    public func end(_ reason: SessionEndReason) async throws(StationError) { try await handle(.end(reason)) }
    public func reset() async throws(StationError) { try await handle(.reset) }

    /// The session a browser may serve now: the one in use, or the one prepared for the next
    /// start (also while out of service, so the browser can show why).
    private var boundSession: String { machine.state.session ?? nextID.take() }

    /// `guichet station`'s heartbeat: which session its browser was launched for (nil: no
    /// browser), and which session's browser has just exited. The answer says whether to keep,
    /// close or launch the browser; any browser not of the current session is closed, so no
    /// browser outlives its session whatever restarted.
    public func supervise(browser: String?, closed: String?, firstBeat: Bool = false) async -> SupervisorOrder {
        // A supervisor that has just started had no browser before: whatever browser its
        // predecessor ran on the prepared session is dead, and that profile is not reused.
        if firstBeat || supervisorSeen == nil, browser == nil { await renewPrepared() }
        supervisorSeen = clock()
        if let closed { await wipeClosed(closed) }
        switch machine.state {
        case .inUse(let s, _), .warning(let s, _):
            if browser == s { return .keep }
            // The session's browser is gone (crash, supervisor restart) or another one runs:
            // what it held cannot be trusted to the next person, the session ends.
            await perform(try? machine.handle(.end(browser == nil ? .restart : .inactivity), now: clock()))
            return await supervise(browser: browser, closed: nil)
        case .ending:
            if browser != nil { return .close }
            await perform(try? machine.handle(.browserClosed, now: clock()))
            return await supervise(browser: nil, closed: nil)
        case .wiping:
            return browser == nil ? .wait : .close
        case .idle, .outOfService:
            if browser == boundSession { return .keep }
            if browser != nil { return .close }
            return .launch(session: boundSession, ticket: issueTicket())
        }
    }

    /// A browser has exited: its folder is wiped, never reused. The session in use is ended and
    /// wiped by the state machine; at idle, the prepared session it was showing is replaced by
    /// a fresh one; any other (a browser from before a daemon restart, which could write again
    /// after that restart's wipe) is removed and checked like any session.
    private func wipeClosed(_ session: String) async {
        bindings[session] = nil
        guard FileManager.default.fileExists(atPath: folders.folder(session).path) || session == boundSession else { return }
        if session == machine.state.session { return }
        if machine.state == .idle {
            await perform(try? machine.handle(.recover(unfinishedSession: session), now: clock()))
            return
        }
        let record = wiper.wipe(session, now: clock())
        await recorder.wiped(record, station: station, reason: .restart)
        if !record.succeeded { await perform(try? machine.handle(.wipeFailed(record.leftovers.joined(separator: ", ")), now: clock())) }
    }

    /// At idle, the prepared session's folder is wiped and a new one prepared: its browser is
    /// gone, and a browser never starts on a profile another one has used.
    private func renewPrepared() async {
        guard machine.state == .idle else { return }
        await perform(try? machine.handle(.recover(unfinishedSession: nextID.take()), now: clock()))
    }

    /// A one-time ticket for the browser about to be launched on the current session; it
    /// replaces any earlier one.
    public func issueTicket() -> String {
        let session = boundSession
        let ticket = StationSecrets.random()
        bindings[session] = SessionBinding(secret: bindings[session]?.secret ?? StationSecrets.random(), ticket: ticket)
        return ticket
    }

    /// The browser redeems its ticket once, for the secret its cookie will carry.
    public func redeem(ticket: String) -> String? {
        let session = boundSession
        guard var binding = bindings[session], let expected = binding.ticket, StationSecrets.same(expected, ticket) else { return nil }
        binding.ticket = nil
        bindings[session] = binding
        return binding.secret
    }

    /// Whether a request carries the secret of the session's own browser.
    public func isBound(_ secret: String?) -> Bool {
        guard let secret, let expected = bindings[boundSession]?.secret else { return false }
        return StationSecrets.same(expected, secret)
    }

    /// One satisfaction answer per session: true the first time only.
    public func firstAnswer(session: String) -> Bool { answered.insert(session).inserted }

    public func status() -> StationStatus {
        let deadline: Date? = if case .warning(_, let d) = machine.state { d } else { nil }
        let reason: String? = if case .outOfService(let why) = machine.state { why } else { nil }
        let session = machine.state.session ?? (reason == nil ? nextID.take() : nil)
        return StationStatus(
            state: machine.state.name, session: machine.state.session, next: machine.state == .idle ? nextID.take() : nil, warningDeadline: deadline,
            pagesLeft: max(0, devices.pageCap - (use?.printed ?? 0)), outOfService: reason,
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
                // Supervised, the next heartbeat is told to close the browser.
                if !supervised {
                    await perform(try? machine.handle(.browserClosed, now: clock()))
                }
            case .wipe(let session, let reason):
                bindings[session] = nil
                answered.remove(session)
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
            pagesScanned: u.scanned, helpRequested: u.help, accompanied: false, language: u.language)
    }

    private func requireSession() throws(StationError) -> String {
        guard let id = use?.id, machine.state.session == id else { throw .noSession }
        return id
    }

    // MARK: what the usager does

    /// The language the session's screens are shown in; recorded when it changes (the
    /// console's help line tells the agent, the reports count sessions by language).
    public func shown(in language: String) async {
        guard use != nil, machine.state.session == use?.id, use?.language != language else { return }
        use?.language = language
        await recorder.record(currentUse(end: nil))
    }

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

    /// An agent is called; the session is named only when the call comes from its own pages.
    public func requestHelp(forSession: Bool = true) async {
        let session = forSession ? machine.state.session : nil
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
                return SessionFile(kind: kind, name: name, bytes: size)
            }
        }
    }

    /// Puts a document the station made (an appointment slip) among the session's downloads,
    /// where it is printed like any other and wiped with the session.
    public func keep(_ data: Data, as name: String) throws(StationError) -> SessionFile {
        let folder = folders.folder(try requireSession()).appendingPathComponent(SessionFile.Kind.downloads.rawValue)
        guard !name.contains("/"), !name.hasPrefix("."),
            FileManager.default.createFile(atPath: folder.appendingPathComponent(name).path, contents: data, attributes: [.posixPermissions: 0o600])
        else { throw .notAFile(name) }
        return SessionFile(kind: .downloads, name: name, bytes: data.count)
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
        let result: Result<PrintJob, PrinterError> = await OffPool.run {
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
        let result: Result<Void, PrinterError> = await OffPool.run {
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
        let result: Result<[PrintJob], PrinterError> = await OffPool.run {
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
        let result: Result<ScannedDocument, ScannerError> = await OffPool.run {
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

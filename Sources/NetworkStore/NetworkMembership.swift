import Agenda
import Dispatch
import Foundation
import Logging
import Synchronization

/// One structure's place in the network's database: registers the structure, holds each of its
/// bookings' shared specialist there (`NetworkClaims`), and asks when the specialists are
/// booked elsewhere.
///
/// The structure's own database calls `record` inside its write transaction, which is
/// synchronous: the wait for PostgreSQL is bounded (`timeout`), and once the network has not
/// answered, later requests fail at once for `pause` instead of each holding the structure's
/// writes for the whole timeout (the station, the console and every booking without a shared
/// specialist keep working).
public final class NetworkMembership: NetworkClaims, NetworkOverview {
    public let database: NetworkDatabase
    public let structure: String
    private let name: String
    private let timeout: Duration
    private let pause: Duration
    private let holdGrace: Duration
    private let logger: Logger
    /// The join under way or done; nil until the first, and again after a failed one.
    private let joining = Mutex<Task<Void, any Error>?>(nil)
    /// Joined once: every booking asks, and then need not wait for anything.
    private let joined = Mutex(false)
    private let outUntil = Mutex<ContinuousClock.Instant?>(nil)

    /// `holdGrace`: how long a booking may stay held here before the structure writes it; a
    /// reconciliation releases only holds older than that (a booking takes milliseconds).
    public init(
        database: NetworkDatabase, structure: String, name: String, timeout: Duration = .seconds(3), pause: Duration = .seconds(5),
        holdGrace: Duration = .seconds(60), logger: Logger = Logger(label: "guichet.network-db")
    ) {
        (self.database, self.structure, self.name, self.timeout, self.pause, self.logger) = (database, structure, name, timeout, pause, logger)
        self.holdGrace = holdGrace
    }

    /// Brings the schema up to date and registers the structure (once; again after a failure).
    /// Callers at the same moment (the first reconciliation, the first health check, the first
    /// booking) wait for the one join under way.
    public func join() async throws {
        if joined.withLock({ $0 }) { return }
        let task = joining.withLock { current in
            if let current { return current }
            let task = Task { [database, structure, name, logger] in
                try await database.migrate()
                try await database.addStructure(id: structure, name: name)
                logger.notice("joined the network's database", metadata: ["guichet.structure": "\(structure)"])
            }
            current = task
            return task
        }
        do {
            try await task.value
            joined.withLock { $0 = true }
        } catch {
            joining.withLock { if $0 == task { $0 = nil } }
            throw error
        }
    }

    /// Makes the network's copy of this structure's bookings ending after `from` what the
    /// structure's database says: a booking the network missed is added (a structure joining
    /// with its history), one it holds that the structure does not (a server stopped between
    /// the two commits) is released. Returns the bookings the network refused: another
    /// structure holds their specialist at that time, for agents to settle.
    ///
    /// Bookings keep being written meanwhile, so the order matters: the network's list is
    /// read first, then `local` (which must wait for the structure's writes in flight, each of
    /// which commits here after the network); a booking then missing here is truly gone. And
    /// a booking changed since `local` was read is never set back: the network keeps the
    /// higher `sequence`.
    public func reconcile(endingAfter from: Date, local: () async throws -> [Booking]) async throws -> [(booking: Booking, error: AgendaError)] {
        try await join()
        let held = try await database.liveBookings(structure: structure, endingAfter: from, olderThan: holdGrace)
        let bookings = try await local()
        let refused = try await recordEach(bookings.filter { $0.span.end > from })
        // Held there, never written here (a cancellation here was handed over just above):
        // gone, not cancelled — the network's reports count only what a structure recorded.
        for id in held.subtracting(bookings.map(\.id)) {
            try await database.deleteBooking(structure: structure, id: id)
        }
        return refused
    }

    /// Hands over the facts of the structure's visits and station sessions, and its past
    /// bookings' outcomes (held, missed), for the network's reports: added or updated (a
    /// session's pages grow until it ends). Returns how many past bookings the network could
    /// not take: their specialist was booked by another structure at that time (a double
    /// booking from before the network, which no report can settle now).
    public func handOver(visits: [Contact], stationSessions: [StationUse], pastBookings: [Booking]) async throws -> Int {
        try await join()
        try await database.recordVisits(visits, structure: structure)
        try await database.recordStationSessions(stationSessions, structure: structure)
        return try await recordEach(pastBookings).count
    }

    /// Hands over the structure's mandate journal from the line after the last one the
    /// network holds, `batch` lines at a time (`read(after, batch)`: the structure's lines
    /// after `after`). Returns how many lines went over.
    public func handOverMandateJournal(batch: Int = 1000, _ read: (Int64, Int) async throws -> [(line: Int64, event: MandateEvent)]) async throws -> Int {
        try await join()
        var last = try await database.lastMandateLine(structure: structure)
        var count = 0
        while true {
            let lines = try await read(last, batch)
            try await database.recordMandateLines(lines, structure: structure)
            count += lines.count
            guard lines.count == batch, let end = lines.last?.line else { return count }
            last = end
        }
    }

    /// Records each booking; those another structure's booking of their specialist refuses
    /// are returned, not thrown (the rest still go over).
    private func recordEach(_ bookings: [Booking]) async throws -> [(booking: Booking, error: AgendaError)] {
        var refused: [(Booking, AgendaError)] = []
        for booking in bookings {
            do {
                try await database.recordBooking(NetworkBooking(booking, structure: structure))
            } catch let error as AgendaError where error.kind == .conflict {
                refused.append((booking, error))
            }
        }
        return refused
    }

    public func hold(_ booking: Booking) async throws {
        let network = NetworkBooking(booking, structure: structure)
        try await bounded { try await self.join(); try await self.database.createBooking(network) }
    }

    public func letGo(_ booking: Booking) async {
        do {
            try await bounded { try await self.database.forgetBooking(structure: self.structure, id: booking.id, sequence: booking.sequence) }
        } catch {
            logger.warning("a hold not let go: the next reconciliation will", metadata: ["guichet.booking": "\(booking.id)", "guichet.error": "\(error)"])
        }
    }

    public func record(_ booking: Booking) throws {
        let network = NetworkBooking(booking, structure: structure)
        do {
            try waiting { try await self.join(); try await self.database.recordBooking(network) }
        } catch let error as AgendaError where booking.specialist == nil && error == .networkUnavailable {
            logger.info("booking left for the network's next reconciliation", metadata: ["guichet.booking": "\(booking.id)"])
        }
    }

    public func busyElsewhere(specialists: Set<String>, during span: TimeSpan) async throws -> [String: [TimeSpan]] {
        let rows = try await bounded {
            try await self.join()
            return try await self.database.specialistsBusy(specialists, during: (span.start, span.end), except: self.structure)
        }
        return rows.mapValues { $0.map { TimeSpan($0.start, $0.end) } }
    }

    public func activityByStructure(from start: Date, to end: Date) async throws -> [NetworkActivityRow] {
        try await bounded { try await self.database.activityByStructure(from: start, to: end) }
    }

    public func bookingsAcrossStructures(during span: TimeSpan) async throws -> [NetworkBookingLine] {
        try await bounded { try await self.database.bookingsAcrossStructures(from: span.start, to: span.end) }
    }

    public func bookingsElsewhere(specialist: String, during span: TimeSpan) async throws -> [NetworkBookingLine] {
        try await bounded {
            try await self.database.bookingsAcrossStructures(from: span.start, to: span.end, specialist: specialist, except: self.structure)
        }
    }

    public func check() async throws -> String {
        // Even during a pause: the health check is what tells the network is back.
        let (versions, structures) = try await bounded(evenPaused: true) {
            try await self.join()
            return (try await self.database.migrationVersions().max() ?? 0, try await self.database.structureCount())
        }
        return "network database reachable: schema version \(versions), \(structures) structures, this one \(structure)"
    }

    /// The network was out of reach less than `pause` ago.
    private var resting: Bool {
        outUntil.withLock { until in until.map { ContinuousClock.now < $0 } ?? false }
    }

    private func wentOut() {
        outUntil.withLock { $0 = ContinuousClock.now + pause }
    }

    /// `body` from synchronous code (a SQLite transaction), waiting at most `timeout`.
    private func waiting<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        guard !resting else { throw AgendaError.networkUnavailable }
        let outcome = Mutex<Result<T, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        let task = Task {
            do {
                let value = try await body()
                outcome.withLock { $0 = .success(value) }
            } catch {
                outcome.withLock { $0 = .failure(error) }
            }
            done.signal()
        }
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        guard done.wait(timeout: .now() + seconds) == .success, let result = outcome.withLock({ $0 }) else {
            task.cancel()
            wentOut()
            logger.warning("the network's database did not answer in time", metadata: ["guichet.timeout": "\(timeout)"])
            throw AgendaError.networkUnavailable
        }
        return try checked(result.get)
    }

    /// `body` from asynchronous code, abandoned after `timeout`.
    func bounded<T: Sendable>(evenPaused: Bool = false, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        guard evenPaused || !resting else { throw AgendaError.networkUnavailable }
        let timeout = timeout
        return try await checked {
            try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask { try await body() }
                group.addTask { try await Task.sleep(for: timeout); return nil }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let value = first else {
                    logger.warning("the network's database did not answer in time", metadata: ["guichet.timeout": "\(timeout)"])
                    throw AgendaError.networkUnavailable
                }
                return value
            }
        }
    }

    /// The agenda's refusals pass; the network out of reach starts a pause; anything else
    /// the network answered (a connection dropped mid-statement…) is logged and, for the
    /// caller, the network out of reach too: nothing was recorded, and the same request may
    /// succeed later.
    private func checked<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch { throw settled(error) }
    }

    private func checked<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch { throw settled(error) }
    }

    private func settled(_ error: any Error) -> any Error {
        if let refusal = error as? AgendaError, refusal != .networkUnavailable { return refusal }
        if !(error is AgendaError) {
            logger.error("the network's database failed unexpectedly", metadata: ["guichet.error": "\(String(reflecting: error))"])
        }
        wentOut()
        return AgendaError.networkUnavailable
    }
}

extension NetworkBooking {
    public init(_ booking: Booking, structure: String) {
        self.init(
            structure: structure, id: booking.id, kind: booking.kind.rawValue, room: booking.room, specialist: booking.specialist,
            station: booking.station, start: booking.span.start, end: booking.span.end)
        status = booking.status.rawValue
        partner = booking.partner
        sequence = booking.sequence
    }
}

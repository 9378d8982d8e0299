import Foundation

/// What a network's coordinator reads (`database: postgres://…`): every structure's figures
/// and the week of their bookings, the network's database counting them.
public protocol NetworkOverview: Sendable {
    /// One row per structure of the network (even with nothing to count), over [start, end).
    func activityByStructure(from start: Date, to end: Date) async throws -> [NetworkActivityRow]

    /// The bookings of every structure within `span` that hold their resources (no usager,
    /// only where, when and with whom).
    func bookingsAcrossStructures(during span: TimeSpan) async throws -> [NetworkBookingLine]

    /// A specialist's bookings in the network's other structures within `span` (their calendar
    /// feed shows the whole week they work, wherever).
    func bookingsElsewhere(specialist: String, during span: TimeSpan) async throws -> [NetworkBookingLine]
}

/// One structure's line of the network's report.
public struct NetworkActivityRow: Sendable, Equatable {
    public var structure: String
    public var name: String
    public var visits = 0
    public var resolvedVisits = 0
    public var stationSessions = 0
    public var accompaniedSessions = 0
    public var pagesPrinted = 0
    public var pagesScanned = 0
    public var appointmentsHeld = 0
    public var appointmentsMissed = 0
    public var appointmentsCancelled = 0
    /// Station sessions by the language their screens were shown in ("" when none was recorded).
    public var stationLanguages: [String: Int] = [:]

    public init(
        structure: String, name: String, visits: Int = 0, resolvedVisits: Int = 0, stationSessions: Int = 0, accompaniedSessions: Int = 0,
        pagesPrinted: Int = 0, pagesScanned: Int = 0, appointmentsHeld: Int = 0, appointmentsMissed: Int = 0, appointmentsCancelled: Int = 0,
        stationLanguages: [String: Int] = [:]
    ) {
        (self.structure, self.name, self.visits, self.resolvedVisits, self.stationSessions, self.accompaniedSessions) =
            (structure, name, visits, resolvedVisits, stationSessions, accompaniedSessions)
        (self.pagesPrinted, self.pagesScanned, self.appointmentsHeld, self.appointmentsMissed, self.appointmentsCancelled) =
            (pagesPrinted, pagesScanned, appointmentsHeld, appointmentsMissed, appointmentsCancelled)
        self.stationLanguages = stationLanguages
    }
}


/// A booking of some structure, as a coordinator sees it.
public struct NetworkBookingLine: Sendable, Equatable {
    public var structure: String
    public var structureName: String
    public var id: String
    /// Raised by every change of the booking (a calendar's SEQUENCE).
    public var sequence: Int
    public var kind: String
    public var specialist: String?
    public var partner: String?
    public var span: TimeSpan

    public init(
        structure: String, structureName: String, id: String, sequence: Int, kind: String, specialist: String?, partner: String?, span: TimeSpan
    ) {
        (self.structure, self.structureName, self.id, self.sequence) = (structure, structureName, id, sequence)
        (self.kind, self.specialist, self.partner, self.span) = (kind, specialist, partner, span)
    }
}

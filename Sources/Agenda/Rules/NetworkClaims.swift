/// A structure that belongs to a network (`database: postgres://…`) holds its bookings'
/// shared resources there too: a specialist serves several structures, and only the
/// network's database sees all of their bookings.
///
/// The structure's own database stays where its agenda lives (and what keeps its station
/// working when the network is out of reach); the network's database decides what no single
/// structure can: one specialist, one place at a time.
public protocol NetworkClaims: Sendable {
    /// Records `booking` as it now is (new, moved, cancelled…), called inside the structure's
    /// write transaction so that a refusal writes nothing locally either. Throws
    /// `AgendaError.slotTaken` when another structure holds the specialist then, and
    /// `AgendaError.networkUnavailable` when the network's database cannot answer in time.
    func record(_ booking: Booking) throws

    /// Holds a new booking before the structure writes it (same refusals as `record`); the
    /// structure then writes it, or lets it go.
    func hold(_ booking: Booking) async throws

    /// Releases a hold the structure did not write (nothing to do if the network has moved on).
    func letGo(_ booking: Booking) async

    /// When each of `specialists` is booked by another structure of the network, within `span`.
    func busyElsewhere(specialists: Set<String>, during span: TimeSpan) async throws -> [String: [TimeSpan]]

    /// A real round trip to the network's database, in a sentence for `/healthz`; throws
    /// `AgendaError.networkUnavailable` when it does not answer.
    func check() async throws -> String
}

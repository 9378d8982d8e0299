import OfficeKit
import Agenda
import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOWebSocket
import Store
import Visio

/// The specialist's WebSocket at `/visio/{token}/ws`: upgraded only for a known link inside
/// its window; the link is the credential.
enum VisioSignalling {
    /// Frames up to this size are read and, beyond `SignalProtocol.maximumBytes`, refused with an error on
    /// a socket that stays open; only a larger one closes the connection.
    static let maximumFrame = 1 << 20
    /// A specialist whose network vanished (no close frame) is known lost within two periods,
    /// so that the page's reconnection is not refused as a second device for long.
    static let pingPeriod: Duration = .seconds(5)

    static func token(fromPath path: String) -> String? {
        let parts = path.split(separator: "/")
        guard parts.count == 3, parts[0] == "visio", parts[2] == "ws" else { return nil }
        return String(parts[1])
    }

    /// The booking, whom the link lets in, and whether it opens now.
    static func check(_ office: Office, token: String) async throws -> (Booking, VisioSeat, JoinWindow)? {
        guard let (booking, seat) = try await office.database.visioBooking(token: token) else { return nil }
        let early = TimeInterval(office.structure.visio.joinEarlyMinutes * 60)
        let window = JoinWindow.at(office.clock(), start: booking.span.start, end: booking.span.end, early: early, cancelled: booking.status == .cancelled)
        return (booking, seat, window)
    }

    static func shouldUpgrade(_ office: Office, _ request: HTTPRequest) async throws -> ShouldUpgradeResult<WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>> {
        if let path = request.path, let station = RoomLinkSocket.station(fromPath: String(path.split(separator: "?").first ?? "")) {
            return try await RoomLinkSocket.shouldUpgrade(office, request, station: station)
        }
        guard let calls = office.visio, let path = request.path, let token = token(fromPath: String(path.split(separator: "?").first ?? "")),
            let (booking, seat, window) = try await check(office, token: token), window == .open
        else { return .dontUpgrade }
        let invited = try await office.database.visioGuestLink(booking: booking.id) != nil
        let key = VisioCalls.key(booking.id, seat)
        return .upgrade([:]) { inbound, outbound, _ in
            let connection = UUID()
            let (stream, continuation) = AsyncStream<OutgoingSignal?>.makeStream()
            await calls.connected(
                booking, seat: seat, invited: invited, connection: connection, send: { continuation.yield($0) }, close: { continuation.yield(nil) })
            // One writer task: messages leave in order; `nil` closes the connection.
            let writer = Task {
                for await message in stream {
                    guard let message else {
                        try? await outbound.close(.normalClosure, reason: nil)
                        return
                    }
                    try? await outbound.write(.text(message.json))
                }
            }
            do {
                for try await message in inbound.messages(maxSize: maximumFrame) {
                    guard case .text(let text) = message else { continue }
                    await calls.received(key, connection: connection, text)
                }
            } catch {
                // An oversized or broken frame: this connection ends, the call record says so.
            }
            await calls.disconnected(key, connection: connection)
            continuation.finish()
            _ = await writer.result
        }
    }
}

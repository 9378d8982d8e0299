import Agenda
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import OfficeKit
import Visio

/// The room's PC at `/salle/{station}/ws`: upgraded for the enrolled room of that station only
/// (its device credential), and only when this server drives a room on its own PC.
enum RoomLinkSocket {
    static func station(fromPath path: String) -> String? {
        let parts = path.split(separator: "/")
        guard parts.count == 3, parts[0] == "salle", parts[2] == "ws" else { return nil }
        return String(parts[1])
    }

    static func shouldUpgrade(_ office: Office, _ request: HTTPRequest, station: String) async throws
        -> ShouldUpgradeResult<WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>>
    {
        guard let engine = office.visio?.engine as? RemoteRoomEngine,
            let header = request.headerFields[.authorization], header.hasPrefix("Bearer "),
            let device = try await office.devices.authenticate(String(header.dropFirst(7))), device.kind == .room, device.id == station
        else { return .dontUpgrade }
        try? await office.devices.contact(device, version: "", health: "lien visio ouvert")
        return .upgrade([:]) { inbound, outbound, _ in
            let id = UUID()
            let (stream, continuation) = AsyncStream<RoomCommand>.makeStream()
            engine.connected(station: station, id: id) { continuation.yield($0) }
            let writer = Task {
                let encoder = JSONEncoder()
                for await command in stream {
                    guard let data = try? encoder.encode(command) else { continue }
                    try? await outbound.write(.text(String(decoding: data, as: UTF8.self)))
                }
            }
            let decoder = JSONDecoder()
            do {
                for try await message in inbound.messages(maxSize: RoomLinkCoding.maximumBytes) {
                    guard case .text(let text) = message, let report = try? decoder.decode(RoomReport.self, from: Data(text.utf8)) else { continue }
                    engine.received(station: station, report)
                }
            } catch {
                // A broken frame ends this link; the room connects again.
            }
            engine.disconnected(station: station, id: id)
            continuation.finish()
            _ = await writer.result
        }
    }
}

/// The room's PC and the server, over the room's WebSocket (`/salle/{station}/ws`, with the
/// room's device credential): the server drives each call's media engine on the room's PC
/// with commands, and the room reports what its engine says. The specialist's browser and
/// the room's engine exchange media directly (peer to peer); only signalling goes through.
public enum RoomCommand: Codable, Sendable, Equatable {
    /// Builds the call's pipeline (with the call's STUN and TURN servers, GStreamer's URL form,
    /// and its preset: the call's codec; the room's own when absent) and starts it as the offerer.
    /// `conference` and `seat`: the call is a seat of the room's conference (a third participant).
    case start(call: String, stun: String?, turn: String?, preset: String? = nil, conference: String? = nil, seat: Int? = nil)
    case createOffer(call: String)
    case remoteDescription(call: String, sdp: String)
    case candidate(call: String, mline: Int, candidate: String)
    case stop(call: String)

    public var call: String {
        switch self {
        case .start(let call, _, _, _, _, _), .createOffer(let call), .remoteDescription(let call, _), .candidate(let call, _, _), .stop(let call): call
        }
    }
}

/// What the room's engine says of a call.
public enum RoomMediaEvent: Codable, Sendable, Equatable {
    case negotiationNeeded
    case iceCandidate(mline: Int, candidate: String)
    case localDescription(sdp: String)
    case remoteMedia(kind: String)
    case chat(text: String)
    /// `reduced`: below the good-network quality (absent from rooms before 0.15: treated as reduced).
    case quality(videoKbps: Int, width: Int, height: Int, video: Bool, reduced: Bool? = nil)
    case ended(why: String)
    /// The pipeline could not be built or started.
    case failedToStart(why: String)
}

public enum RoomReport: Codable, Sendable, Equatable {
    /// Sent first on each connection: the calls whose pipelines still run here (a room that
    /// lost the server ends no call it can keep).
    case hello(calls: [String])
    case event(call: String, event: RoomMediaEvent)
    /// Once a second per call: the remote frames that reached the room's sinks.
    case counters(call: String, video: Int64, audio: Int64)
}


/// The link's messages are JSON text frames, at most this long (an SDP with its candidates).
public enum RoomLinkCoding {
    public static let maximumBytes = 64 * 1024
}

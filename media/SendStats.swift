import CGStreamer

/// What the far end reports about our sending: the remote receiver's reports on our video
/// (RTCP: fraction lost, round-trip time) and transport-wide congestion control's own view
/// when negotiated (`gst-twcc-stats`: loss and bitrates), read from webrtcbin's statistics.
public struct SendStats: Sendable, Equatable {
    /// 0–1.
    public let loss: Double
    /// Seconds (0 when unknown).
    public let roundTrip: Double
    /// Whether the figures come from transport-wide congestion control.
    public let twcc: Bool
    /// bit/s as received by the far end (TWCC), 0 when unknown.
    public let receivedBitrate: Double
    /// bit/s as sent, over the same packets as `receivedBitrate` (TWCC), 0 when unknown: the two
    /// differ when a queue on the way spreads the packets out, before it overflows into loss.
    public let sentBitrate: Double
    /// Seconds: TWCC's mean growth of the packets' spacing on arrival against their spacing on
    /// departure (`avg-delta-of-delta`); above zero while a queue on the way fills.
    public let delayGrowth: Double

    public init(loss: Double, roundTrip: Double, twcc: Bool, receivedBitrate: Double, sentBitrate: Double = 0, delayGrowth: Double = 0) {
        self.loss = loss
        self.roundTrip = roundTrip
        self.twcc = twcc
        self.receivedBitrate = receivedBitrate
        self.sentBitrate = sentBitrate
        self.delayGrowth = delayGrowth
    }

    /// Reads `get-stats`' reply: one structure per statistic, by id. Nil before any report.
    init?(webrtcStats reply: UnsafePointer<GstStructure>) {
        var (fractionLost, roundTrip, haveRemote) = (0.0, 0.0, false)
        var (twccLoss, twccReceived, twccSent, twccGrowth, haveTWCC) = (0.0, 0.0, 0.0, 0.0, false)
        for stat in Self.structures(in: reply) {
            var type: gint = 0
            if gst_structure_get_enum(stat, "type", gst_webrtc_stats_type_get_type(), &type) != 0,
                type == gint(GST_WEBRTC_STATS_REMOTE_INBOUND_RTP.rawValue), Self.string(stat, "kind") == "video"
            {
                haveRemote = true
                fractionLost = Self.double(stat, "fraction-lost") ?? fractionLost
                roundTrip = Self.double(stat, "round-trip-time") ?? roundTrip
            }
            if let value = gst_structure_get_value(stat, "gst-twcc-stats"), let twcc = Self.structure(value) {
                if let loss = Self.double(twcc, "packet-loss-pct") {
                    haveTWCC = true
                    twccLoss = loss
                }
                var received: guint = 0
                if gst_structure_get_uint(twcc, "bitrate-recv", &received) != 0 { twccReceived = Double(received) }
                var sent: guint = 0
                if gst_structure_get_uint(twcc, "bitrate-sent", &sent) != 0 { twccSent = Double(sent) }
                var growth: gint64 = 0
                if gst_structure_get_int64(twcc, "avg-delta-of-delta", &growth) != 0 { twccGrowth = Double(growth) / 1e9 }
            }
        }
        guard haveRemote || haveTWCC else { return nil }
        let loss = haveTWCC ? twccLoss / 100 : fractionLost
        self.init(loss: min(1, max(0, loss)), roundTrip: max(0, roundTrip), twcc: haveTWCC, receivedBitrate: twccReceived, sentBitrate: twccSent, delayGrowth: twccGrowth)
    }

    private static func structures(in reply: UnsafePointer<GstStructure>) -> [UnsafePointer<GstStructure>] {
        (0..<max(0, gst_structure_n_fields(reply))).compactMap { index in
            guard let name = gst_structure_nth_field_name(reply, guint(index)), let value = gst_structure_get_value(reply, name) else { return nil }
            return structure(value)
        }
    }

    private static func structure(_ value: UnsafePointer<GValue>) -> UnsafePointer<GstStructure>? {
        guard g_type_check_value_holds(value, gst_structure_get_type()) != 0 else { return nil }
        return gst_value_get_structure(value)
    }

    private static func double(_ structure: UnsafePointer<GstStructure>, _ field: String) -> Double? {
        var value = 0.0
        return gst_structure_get_double(structure, field, &value) != 0 ? value : nil
    }

    private static func string(_ structure: UnsafePointer<GstStructure>, _ field: String) -> String? {
        gst_structure_get_string(structure, field).map { String(cString: $0) }
    }
}

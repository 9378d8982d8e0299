import Agenda
import DeviceLink
import Foundation
import Logging
import Store

/// A station on its own PC: its facts wait in its outbox (the station's own SQLite) and reach
/// the server exactly once, in order, as soon as it answers; the appointment look-up asks the
/// server directly, and says so when it cannot.
public actor RemoteStationBackend: StationBackend {
    let client: DeviceClient
    let outbox: AppDatabase
    let clock: @Sendable () -> Date
    let logger = Logger(label: "guichet.station.link")
    /// The server answered the last call (contact, delivery or look-up).
    private var reachable = false
    private var wake: AsyncStream<Void>.Continuation?
    /// What the station says of itself on each contact.
    private var health = "ok"
    public static let batch = 200

    public init(client: DeviceClient, outbox: AppDatabase, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.client = client
        self.outbox = outbox
        self.clock = clock
    }

    public func record(_ record: StationRecord) async {
        do {
            try await outbox.enqueue(record, now: clock())
        } catch {
            logger.error("station record not queued: \(error)")
        }
        wake?.yield()
    }

    /// How many facts wait in the outbox (nil: the outbox cannot be read).
    public func waiting() async -> Int? { try? await outbox.outboxCount() }

    public func checkIn(name: String, now: Date) async throws -> Bool {
        do {
            let answer = try await client.call("POST", "/api/v1/devices/check-in", body: ["name": String(name.prefix(120))])
            reachable = true
            return answer["found"] as? Bool ?? false
        } catch {
            note(error)
            throw StationBackendError.unreachable
        }
    }

    public func canCallAnAgent() async -> Bool { reachable }

    public func selfBookingStep(_ ask: StationBookingAsk, now: Date) async throws -> StationBookingStep {
        try await question(server: "/api/v1/devices/self-booking/step", ask)
    }

    public func selfBook(slot: String, situation: String?, name: String, now: Date) async throws -> StationBooked {
        try await question(server: "/api/v1/devices/self-booking", ["slot": slot, "situation": situation, "name": String(name.prefix(120))])
    }

    /// A question to the server's agenda: its refusal comes back as the agenda's own error
    /// (the usager reads why), anything else means the server cannot be asked now.
    private func question<Body: Encodable, Answer: Decodable>(server path: String, _ body: Body) async throws -> Answer {
        do {
            let object = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(body)) as? [String: Any] ?? [:]
            let answer = try await client.call("POST", path, body: object)
            reachable = true
            return try JSONDecoder().decode(Answer.self, from: try JSONSerialization.data(withJSONObject: answer))
        } catch let failure as DeviceClient.Failure where (400..<500).contains(failure.status) {
            reachable = true
            guard let refusal = AgendaError(serverAnswer: failure.body, status: failure.status) else { throw StationBackendError.unreachable }
            throw refusal
        } catch {
            note(error)
            throw StationBackendError.unreachable
        }
    }

    public var isReachable: Bool { reachable }

    public func setHealth(_ text: String) { health = text }

    /// Sends the outbox, batch after batch, until it is empty or the server stops answering;
    /// returns how many records left it.
    @discardableResult
    public func deliver() async -> Int {
        var sent = 0
        while true {
            let batch: [(seq: Int64, key: String, record: StationRecord)]
            do {
                batch = try await outbox.outbox(limit: Self.batch)
            } catch {
                logger.error("outbox unreadable: \(error)")
                return sent
            }
            guard let last = batch.last else { return sent }
            do {
                let items = try batch.map { item -> [String: Any] in
                    let record = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(item.record))
                    return ["key": item.key, "record": record]
                }
                _ = try await client.call("POST", "/api/v1/devices/outbox", body: ["records": items])
                reachable = true
                // The server has them (taken now, or before: a lost answer is sent again and ignored).
                try await outbox.removeFromOutbox(upTo: last.seq)
                sent += batch.count
            } catch {
                note(error)
                return sent
            }
        }
    }

    /// Says the station is alive (version, health); what tells it the server is back.
    public func contact() async {
        do {
            _ = try await client.call("POST", "/api/v1/devices/contact", body: ["version": GuichetVersion.text, "health": health])
            if !reachable { logger.notice("the server answers again") }
            reachable = true
        } catch {
            note(error)
        }
    }

    private func note(_ error: any Error) {
        if reachable { logger.warning("the server does not answer: \(error)") }
        reachable = false
    }

    /// Runs until cancelled: delivers at once when a record is queued, and every `interval`
    /// seconds says it is alive and retries what waits.
    public func run(interval: Duration = .seconds(2)) async {
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        wake = continuation
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                continuation.yield()
            }
        }
        defer { ticker.cancel() }
        var contacted = ContinuousClock.now
        await contact()
        await deliver()
        for await _ in stream {
            if Task.isCancelled { break }
            // A queued record wakes the loop at once; the contact itself keeps its pace.
            if !reachable || ContinuousClock.now - contacted >= interval {
                contacted = ContinuousClock.now
                await contact()
            }
            if reachable { await deliver() }
        }
    }
}

extension AgendaError {
    /// The agenda's refusal as the server's API wrote it (`{"error": {"code", "message": {"fr", "en"}}}`).
    init?(serverAnswer body: String, status: Int) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
            let error = object["error"] as? [String: Any], let code = error["code"] as? String,
            let message = error["message"] as? [String: Any], let french = message["fr"] as? String
        else { return nil }
        let kind: AgendaError.Kind = status == 409 ? .conflict : status == 404 ? .notFound : .invalid
        self.init(code: code, kind: kind, french: french, english: message["en"] as? String ?? french)
    }
}

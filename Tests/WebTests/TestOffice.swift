import Agenda
import Foundation
import Store
import StructureConfig
import Web

/// The demo structure on an in-memory database, at a fixed time (Wednesday 25 Nov 2026, 10:00 Paris).
func makeOffice() async throws -> Office {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let config = try GuichetConfig.load(path: root.appendingPathComponent("config/guichet.json").path)
    let now = Timestamp.parse("2026-11-25T10:00:00+01:00")!
    let office = Office(config: config, database: try AppDatabase.inMemory(), clock: { now })
    try await office.seedDemo()
    return office
}

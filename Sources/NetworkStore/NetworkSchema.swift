import Logging
import PostgresNIO

/// The network's database schema on PostgreSQL, in versioned migrations of its own (SQLite's
/// are `Store/Migrations.swift`): the same rules, written the way PostgreSQL keeps them.
/// Several structures share one database, so every structure-owned row carries its structure;
/// specialists are the network's, and one specialist never holds two overlapping bookings,
/// whichever structure or server writes them.
enum NetworkSchema {
    struct Migration: Sendable {
        let version: Int
        let name: String
        let sql: [String]
    }

    static let migrations: [Migration] = [
        Migration(version: 1, name: "bookings", sql: [
            "CREATE EXTENSION IF NOT EXISTS btree_gist",
            """
            CREATE TABLE structure (
                id text PRIMARY KEY CHECK (id ~ '^[a-z0-9-]{1,64}$'),
                name text NOT NULL
            )
            """,
            """
            CREATE TABLE specialist (
                id text PRIMARY KEY,
                partner text NOT NULL,
                name text NOT NULL
            )
            """,
            // The no-double-booking invariant in the database itself, as SQLite's triggers keep
            // it for one structure: a room and a station are a structure's own, a specialist is
            // the network's (a Caf advisor serves ten structures the same week).
            """
            CREATE TABLE booking (
                structure text NOT NULL REFERENCES structure(id),
                id text NOT NULL,
                kind text NOT NULL CHECK (kind IN ('permanence', 'visio', 'room')),
                room text NOT NULL,
                specialist text REFERENCES specialist(id),
                station text,
                during tstzrange NOT NULL CHECK (NOT isempty(during) AND upper(during) - lower(during) <= interval '4 hours'),
                status text NOT NULL CHECK (status IN ('booked', 'checked-in', 'no-show', 'done', 'cancelled')),
                created_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (structure, id),
                CONSTRAINT booking_room_free EXCLUDE USING gist (structure WITH =, room WITH =, during WITH &&)
                    WHERE (status <> 'cancelled'),
                CONSTRAINT booking_station_free EXCLUDE USING gist (structure WITH =, station WITH =, during WITH &&)
                    WHERE (status <> 'cancelled' AND station IS NOT NULL),
                CONSTRAINT booking_specialist_free EXCLUDE USING gist (specialist WITH =, during WITH &&)
                    WHERE (status <> 'cancelled' AND specialist IS NOT NULL)
            )
            """,
            // The mandate journal: appended to, never rewritten, whatever code writes.
            """
            CREATE TABLE mandate_event (
                structure text NOT NULL REFERENCES structure(id),
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                mandate text NOT NULL,
                action text NOT NULL,
                at timestamptz NOT NULL
            )
            """,
            """
            CREATE FUNCTION guichet_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'append_only' USING ERRCODE = 'GU001';
            END $$
            """,
            "CREATE TRIGGER mandate_event_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON mandate_event FOR EACH STATEMENT EXECUTE FUNCTION guichet_append_only()",
        ]),
        // What the network's reports count, handed over by each structure: the facts of a visit
        // and of a station session, never the usager's name, the agent or the note.
        Migration(version: 2, name: "activity", sql: [
            "ALTER TABLE booking ADD COLUMN partner text",
            "ALTER TABLE booking ADD COLUMN sequence integer NOT NULL DEFAULT 0",
            "CREATE INDEX booking_start ON booking (lower(during))",
            """
            CREATE TABLE visit (
                structure text NOT NULL REFERENCES structure(id),
                id text NOT NULL,
                at timestamptz NOT NULL,
                channel text NOT NULL,
                outcome text NOT NULL,
                accompanied boolean NOT NULL,
                partners text[] NOT NULL,
                life_situation text,
                PRIMARY KEY (structure, id)
            )
            """,
            "CREATE INDEX visit_at ON visit (at)",
            """
            CREATE TABLE station_session (
                structure text NOT NULL REFERENCES structure(id),
                id text NOT NULL,
                station text NOT NULL,
                started_at timestamptz NOT NULL,
                ended_at timestamptz,
                pages_printed integer NOT NULL CHECK (pages_printed >= 0),
                pages_scanned integer NOT NULL CHECK (pages_scanned >= 0),
                help_requested boolean NOT NULL,
                accompanied boolean NOT NULL,
                PRIMARY KEY (structure, id)
            )
            """,
            "CREATE INDEX station_session_started ON station_session (started_at)",
            // A booking in one round trip. The exclusion constraints decide; the advisory locks
            // (always in the same order: specialist, room, station) only queue the requests for
            // one resource, which PostgreSQL's constraint checks would otherwise deadlock on
            // under a rush (40P01 for 87 of 200 concurrent requests, a second each to detect).
            """
            CREATE FUNCTION guichet_record_booking(
                p_structure text, p_id text, p_kind text, p_room text, p_specialist text, p_station text, p_start timestamptz,
                p_end timestamptz, p_status text, p_partner text, p_sequence integer, p_replace boolean
            ) RETURNS void LANGUAGE plpgsql AS $$
            BEGIN
                IF p_specialist IS NOT NULL THEN
                    PERFORM pg_advisory_xact_lock(hashtextextended('specialist:' || p_specialist, 0));
                END IF;
                PERFORM pg_advisory_xact_lock(hashtextextended('room:' || p_structure || '/' || p_room, 0));
                IF p_station IS NOT NULL THEN
                    PERFORM pg_advisory_xact_lock(hashtextextended('station:' || p_structure || '/' || p_station, 0));
                END IF;
                IF p_specialist IS NOT NULL THEN
                    INSERT INTO specialist (id, partner, name) VALUES (p_specialist, coalesce(p_partner, ''), p_specialist) ON CONFLICT (id) DO NOTHING;
                END IF;
                IF p_replace THEN
                    INSERT INTO booking (structure, id, kind, room, specialist, station, during, status, partner, sequence)
                    VALUES (p_structure, p_id, p_kind, p_room, p_specialist, p_station, tstzrange(p_start, p_end, '[)'), p_status, p_partner, p_sequence)
                    ON CONFLICT (structure, id) DO UPDATE SET kind = excluded.kind, room = excluded.room, specialist = excluded.specialist,
                        station = excluded.station, during = excluded.during, status = excluded.status, partner = excluded.partner,
                        sequence = excluded.sequence
                    WHERE booking.sequence <= excluded.sequence;
                ELSE
                    INSERT INTO booking (structure, id, kind, room, specialist, station, during, status, partner, sequence)
                    VALUES (p_structure, p_id, p_kind, p_room, p_specialist, p_station, tstzrange(p_start, p_end, '[)'), p_status, p_partner, p_sequence);
                END IF;
            END $$
            """,
        ]),
        // The language a station session's screens were shown in, as the structure's own
        // report counts it (`postes-par-langue`); nothing else about the usager.
        Migration(version: 3, name: "station-language", sql: [
            "ALTER TABLE station_session ADD COLUMN language text CHECK (language ~ '^[a-z]{2,8}$')",
        ]),
        // The network's accounts: one login and password for an agent who serves several
        // structures, a role in each (agent or manager), or the coordinator's in all. Each
        // structure's server keeps a copy of those it signed in, as last seen here.
        Migration(version: 4, name: "accounts", sql: [
            """
            CREATE TABLE network_agent (
                login text PRIMARY KEY CHECK (login ~ '^[a-z0-9][a-z0-9._-]{1,39}$'),
                display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 120),
                password_hash text NOT NULL CHECK (password_hash LIKE '$2%'),
                coordinator boolean NOT NULL DEFAULT false,
                created_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            """
            CREATE TABLE network_role (
                login text NOT NULL REFERENCES network_agent(login) ON DELETE CASCADE,
                structure text NOT NULL REFERENCES structure(id),
                role text NOT NULL CHECK (role IN ('agent', 'manager')),
                PRIMARY KEY (login, structure)
            )
            """,
        ]),
        // Each structure's mandate journal, handed over line by line (`source_id`: the line's
        // number in the structure's journal, so a hand-over repeated adds nothing): a copy no
        // one at the structure can rewrite. The mandate, what happened and when; never the
        // usager or the agent.
        Migration(version: 5, name: "mandate-journal", sql: [
            "ALTER TABLE mandate_event ADD COLUMN source_id bigint",
            "CREATE UNIQUE INDEX mandate_event_source ON mandate_event (structure, source_id)",
        ]),
    ]

    /// Applies what is missing, in one transaction under an advisory lock: several servers
    /// starting on the same database at once migrate it once.
    static func migrate(_ client: PostgresClient, logger: Logger) async throws {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(7305)", logger: logger)
            try await connection.query(
                "CREATE TABLE IF NOT EXISTS guichet_migration (version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())",
                logger: logger)
            var applied = Set<Int>()
            for try await version in try await connection.query("SELECT version FROM guichet_migration", logger: logger).decode(Int.self) {
                applied.insert(version)
            }
            for migration in migrations where !applied.contains(migration.version) {
                for statement in migration.sql {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    "INSERT INTO guichet_migration (version, name) VALUES (\(migration.version), \(migration.name))", logger: logger)
                logger.notice("network database migrated", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
            }
        }
    }
}

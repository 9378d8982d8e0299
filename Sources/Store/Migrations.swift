import GRDB

/// The schema's history. Append-only: a shipped migration is never edited.
enum Migrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-agenda") { db in
            try db.execute(sql: """
                CREATE TABLE hoursPlan (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    hours TEXT NOT NULL,            -- JSON: {"monday": ["09:00-12:30"], …}
                    effectiveFrom TEXT NOT NULL,    -- YYYY-MM-DD, local date
                    revision INTEGER NOT NULL,
                    updatedAt INTEGER NOT NULL
                ) STRICT;

                CREATE TABLE specialist (
                    id TEXT PRIMARY KEY,
                    partner TEXT NOT NULL,
                    displayName TEXT NOT NULL,
                    calendarToken TEXT NOT NULL UNIQUE,
                    createdAt INTEGER NOT NULL
                ) STRICT;

                -- Instants are whole seconds since 1970-01-01 UTC: unambiguous across DST.
                CREATE TABLE closure (
                    id TEXT PRIMARY KEY,
                    startsAt INTEGER NOT NULL,
                    endsAt INTEGER NOT NULL,
                    reason TEXT NOT NULL,
                    announcedAt INTEGER NOT NULL,
                    emergency INTEGER NOT NULL CHECK (emergency IN (0, 1)),
                    withdrawn INTEGER NOT NULL DEFAULT 0 CHECK (withdrawn IN (0, 1)),
                    sequence INTEGER NOT NULL DEFAULT 0,
                    CHECK (endsAt > startsAt)
                ) STRICT;
                CREATE INDEX closure_time ON closure(startsAt);

                CREATE TABLE permanence (
                    id TEXT PRIMARY KEY,
                    partner TEXT NOT NULL,
                    specialist TEXT NOT NULL REFERENCES specialist(id),
                    room TEXT NOT NULL,
                    frequency TEXT NOT NULL CHECK (frequency IN ('weekly', 'monthly')),
                    interval INTEGER NOT NULL DEFAULT 1,
                    ordinal INTEGER NOT NULL DEFAULT 0,
                    weekday INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),
                    startMinute INTEGER NOT NULL,
                    endMinute INTEGER NOT NULL,
                    firstDate TEXT NOT NULL,
                    lastDate TEXT,
                    cancelled INTEGER NOT NULL DEFAULT 0,
                    sequence INTEGER NOT NULL DEFAULT 0,
                    CHECK (endMinute > startMinute)
                ) STRICT;

                CREATE TABLE permanenceException (
                    permanence TEXT NOT NULL REFERENCES permanence(id) ON DELETE CASCADE,
                    date TEXT NOT NULL,
                    PRIMARY KEY (permanence, date)
                ) STRICT;

                CREATE TABLE visioSlot (
                    id TEXT PRIMARY KEY,
                    partner TEXT NOT NULL,
                    specialist TEXT NOT NULL REFERENCES specialist(id),
                    room TEXT NOT NULL,
                    station TEXT NOT NULL,
                    startsAt INTEGER NOT NULL,
                    endsAt INTEGER NOT NULL,
                    cancelled INTEGER NOT NULL DEFAULT 0,
                    sequence INTEGER NOT NULL DEFAULT 0,
                    CHECK (endsAt > startsAt)
                ) STRICT;
                CREATE INDEX visioSlot_time ON visioSlot(startsAt);

                CREATE TABLE booking (
                    id TEXT PRIMARY KEY,
                    kind TEXT NOT NULL CHECK (kind IN ('permanence', 'visio', 'room')),
                    partner TEXT,
                    lifeSituation TEXT,
                    permanence TEXT REFERENCES permanence(id),
                    visioSlot TEXT REFERENCES visioSlot(id),
                    room TEXT NOT NULL,
                    specialist TEXT REFERENCES specialist(id),
                    station TEXT,
                    startsAt INTEGER NOT NULL,
                    endsAt INTEGER NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('booked', 'checked-in', 'no-show', 'done', 'cancelled')),
                    usagerName TEXT,
                    usagerPhone TEXT,
                    usagerEmail TEXT,
                    reminderConsent INTEGER NOT NULL DEFAULT 0,
                    createdAt INTEGER NOT NULL,
                    updatedAt INTEGER NOT NULL,
                    sequence INTEGER NOT NULL DEFAULT 0,
                    -- Bounded length keeps the overlap triggers' index scans short.
                    CHECK (endsAt > startsAt AND endsAt - startsAt <= 14400)
                ) STRICT;
                CREATE INDEX booking_room ON booking(room, startsAt);
                CREATE INDEX booking_specialist ON booking(specialist, startsAt);
                CREATE INDEX booking_station ON booking(station, startsAt);
                CREATE INDEX booking_time ON booking(startsAt);
                """)
            // The no-double-booking invariant, enforced by the database inside the writing
            // transaction: no two bookings that hold resources may share a room, a
            // specialist or a station at overlapping times. Whatever code writes, it holds.
            for (event, name, notSelf) in [
                ("INSERT", "booking_no_overlap_insert", ""),
                ("UPDATE OF startsAt, endsAt, status, room, specialist, station", "booking_no_overlap_update", "AND b.id <> NEW.id"),
            ] {
                try db.execute(sql: """
                    CREATE TRIGGER \(name) BEFORE \(event) ON booking
                    WHEN NEW.status <> 'cancelled'
                    BEGIN
                        SELECT RAISE(ABORT, 'slot_taken')
                        WHERE EXISTS (SELECT 1 FROM booking b WHERE b.room = NEW.room \(notSelf)
                                AND b.status <> 'cancelled' AND b.startsAt < NEW.endsAt AND b.endsAt > NEW.startsAt
                                AND b.startsAt > NEW.startsAt - 14400)
                           OR EXISTS (SELECT 1 FROM booking b WHERE b.specialist = NEW.specialist \(notSelf)
                                AND b.status <> 'cancelled' AND b.startsAt < NEW.endsAt AND b.endsAt > NEW.startsAt
                                AND b.startsAt > NEW.startsAt - 14400)
                           OR EXISTS (SELECT 1 FROM booking b WHERE b.station = NEW.station \(notSelf)
                                AND b.status <> 'cancelled' AND b.startsAt < NEW.endsAt AND b.endsAt > NEW.startsAt
                                AND b.startsAt > NEW.startsAt - 14400);
                    END
                    """)
            }
        }
        migrator.registerMigration("v2-console") { db in
            try db.execute(sql: """
                CREATE TABLE agent (
                    id TEXT PRIMARY KEY,
                    login TEXT NOT NULL UNIQUE COLLATE NOCASE,
                    displayName TEXT NOT NULL,
                    passwordHash TEXT NOT NULL,
                    role TEXT NOT NULL CHECK (role IN ('agent', 'manager')),
                    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
                    createdAt INTEGER NOT NULL
                ) STRICT;

                -- Browser sessions: agents at the console, usagers at a station.
                CREATE TABLE webSession (
                    token TEXT PRIMARY KEY,
                    kind TEXT NOT NULL CHECK (kind IN ('agent', 'kiosk')),
                    agentId TEXT REFERENCES agent(id) ON DELETE CASCADE,
                    station TEXT,
                    csrf TEXT NOT NULL,
                    createdAt INTEGER NOT NULL,
                    expiresAt INTEGER NOT NULL,
                    CHECK ((kind = 'agent') = (agentId IS NOT NULL))
                ) STRICT;

                CREATE TABLE signInAttempt (
                    id INTEGER PRIMARY KEY,
                    login TEXT NOT NULL COLLATE NOCASE,
                    address TEXT NOT NULL,
                    at INTEGER NOT NULL,
                    succeeded INTEGER NOT NULL CHECK (succeeded IN (0, 1))
                ) STRICT;
                CREATE INDEX signInAttempt_login ON signInAttempt(login, at);
                CREATE INDEX signInAttempt_address ON signInAttempt(address, at);

                -- Who did what, when. Targets are ids, never personal data.
                CREATE TABLE auditEntry (
                    id INTEGER PRIMARY KEY,
                    at INTEGER NOT NULL,
                    actor TEXT NOT NULL,
                    action TEXT NOT NULL,
                    target TEXT
                ) STRICT;
                CREATE TRIGGER auditEntry_no_update BEFORE UPDATE ON auditEntry BEGIN SELECT RAISE(ABORT, 'append_only'); END;
                CREATE TRIGGER auditEntry_no_delete BEFORE DELETE ON auditEntry BEGIN SELECT RAISE(ABORT, 'append_only'); END;

                CREATE TABLE contact (
                    id TEXT PRIMARY KEY,
                    at INTEGER NOT NULL,
                    agentId TEXT NOT NULL,
                    partners TEXT NOT NULL,          -- JSON array of partner ids
                    lifeSituation TEXT,
                    reason TEXT NOT NULL,
                    channel TEXT NOT NULL CHECK (channel IN ('walk-in', 'phone', 'email')),
                    accompanied INTEGER NOT NULL CHECK (accompanied IN (0, 1)),
                    outcome TEXT NOT NULL CHECK (outcome IN ('resolved', 'appointment', 'referred')),
                    note TEXT
                ) STRICT;
                CREATE INDEX contact_time ON contact(at);

                CREATE TABLE referral (
                    id TEXT PRIMARY KEY,
                    partner TEXT NOT NULL,
                    referent TEXT NOT NULL,
                    agentId TEXT NOT NULL,
                    subject TEXT,
                    usagerName TEXT,
                    sentAt INTEGER NOT NULL,
                    deadlineAt INTEGER NOT NULL,
                    answeredAt INTEGER,
                    answer TEXT,
                    closedAt INTEGER,
                    purgedAt INTEGER,
                    CHECK (deadlineAt > sentAt)
                ) STRICT;
                CREATE INDEX referral_deadline ON referral(deadlineAt);

                CREATE TABLE mandate (
                    id TEXT PRIMARY KEY,
                    usagerName TEXT,
                    identityDocument TEXT,
                    agentId TEXT NOT NULL,
                    signedAt INTEGER NOT NULL,
                    duration TEXT NOT NULL CHECK (duration IN ('one-day', 'one-month', 'six-months', 'one-year')),
                    expiresAt INTEGER NOT NULL,
                    parties INTEGER NOT NULL CHECK (parties BETWEEN 2 AND 6),
                    withdrawnAt INTEGER,
                    purgedAt INTEGER
                ) STRICT;
                CREATE TABLE mandateScope (
                    mandateId TEXT NOT NULL REFERENCES mandate(id),
                    category TEXT NOT NULL CHECK (category IN ('identity', 'family', 'social', 'work', 'housing',
                        'transport', 'money', 'justice', 'foreigners', 'leisure')),
                    withdrawnAt INTEGER,
                    PRIMARY KEY (mandateId, category)
                ) STRICT;
                -- The mandate journal: append-only, whatever code runs against the file.
                CREATE TABLE mandateEvent (
                    id INTEGER PRIMARY KEY,
                    mandateId TEXT NOT NULL,
                    at INTEGER NOT NULL,
                    kind TEXT NOT NULL,
                    category TEXT,
                    actor TEXT NOT NULL
                ) STRICT;
                CREATE TRIGGER mandateEvent_no_update BEFORE UPDATE ON mandateEvent BEGIN SELECT RAISE(ABORT, 'append_only'); END;
                CREATE TRIGGER mandateEvent_no_delete BEFORE DELETE ON mandateEvent BEGIN SELECT RAISE(ABORT, 'append_only'); END;

                -- "Call an agent" from a station.
                CREATE TABLE helpRequest (
                    id TEXT PRIMARY KEY,
                    station TEXT NOT NULL,
                    at INTEGER NOT NULL,
                    resolvedAt INTEGER,
                    resolvedBy TEXT
                ) STRICT;

                ALTER TABLE booking ADD COLUMN purgedAt INTEGER;
                """)
        }
        migrator.registerMigration("v3-activity") { db in
            try db.execute(sql: """
                -- One usager's session at a self-service station: anonymous by construction.
                CREATE TABLE stationSession (
                    id TEXT PRIMARY KEY,
                    station TEXT NOT NULL,
                    startedAt INTEGER NOT NULL,
                    endedAt INTEGER,
                    lifeSituations TEXT NOT NULL DEFAULT '[]',   -- JSON array of ids
                    partnerSites TEXT NOT NULL DEFAULT '[]',     -- JSON array of partner ids
                    pagesPrinted INTEGER NOT NULL DEFAULT 0 CHECK (pagesPrinted >= 0),
                    pagesScanned INTEGER NOT NULL DEFAULT 0 CHECK (pagesScanned >= 0),
                    helpRequested INTEGER NOT NULL DEFAULT 0 CHECK (helpRequested IN (0, 1)),
                    accompanied INTEGER NOT NULL DEFAULT 0 CHECK (accompanied IN (0, 1))
                ) STRICT;
                CREATE INDEX stationSession_time ON stationSession(startedAt);

                CREATE TABLE satisfactionAnswer (
                    id INTEGER PRIMARY KEY,
                    at INTEGER NOT NULL,
                    score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
                    source TEXT NOT NULL
                ) STRICT;
                CREATE INDEX satisfactionAnswer_time ON satisfactionAnswer(at);

                -- The public contact form; answered within 72 hours.
                CREATE TABLE contactMessage (
                    id TEXT PRIMARY KEY,
                    receivedAt INTEGER NOT NULL,
                    name TEXT,
                    email TEXT,
                    message TEXT,
                    answeredAt INTEGER,
                    answeredBy TEXT,
                    purgedAt INTEGER
                ) STRICT;
                CREATE INDEX contactMessage_time ON contactMessage(receivedAt);
                """)
        }
        migrator.registerMigration("v4-station") { db in
            try db.execute(
                sql: """
                    -- Why an agent is called to a station, and in which kiosk session (so that the
                    -- agent can mark that session as accompanied).
                    ALTER TABLE helpRequest ADD COLUMN reason TEXT NOT NULL DEFAULT 'help' CHECK (reason IN ('help', 'out-of-service'));
                    ALTER TABLE helpRequest ADD COLUMN session TEXT;
                    ALTER TABLE helpRequest ADD COLUMN message TEXT;

                    -- Every wipe of a kiosk session: when, how long, whether it was verified.
                    -- Never what was wiped.
                    CREATE TABLE stationWipe (
                        id INTEGER PRIMARY KEY,
                        station TEXT NOT NULL,
                        at INTEGER NOT NULL,
                        durationMs INTEGER NOT NULL,
                        reason TEXT NOT NULL,
                        succeeded INTEGER NOT NULL CHECK (succeeded IN (0, 1)),
                        leftovers INTEGER NOT NULL
                    ) STRICT;
                    CREATE INDEX stationWipe_time ON stationWipe(at);
                    """)
        }
        migrator.registerMigration("v5-visio") { db in
            try db.execute(
                sql: """
                    -- The specialist's join link of a visio booking: an unguessable secret, useful
                    -- only inside the booking's window (checked at each use).
                    CREATE TABLE visioLink (
                        booking TEXT PRIMARY KEY REFERENCES booking(id),
                        token TEXT NOT NULL UNIQUE,
                        createdAt INTEGER NOT NULL
                    ) STRICT;

                    -- A call's metadata for the reports: never its content.
                    CREATE TABLE visioCall (
                        id INTEGER PRIMARY KEY,
                        booking TEXT NOT NULL,
                        partner TEXT,
                        startedAt INTEGER NOT NULL,
                        endedAt INTEGER,
                        outcome TEXT
                    ) STRICT;
                    CREATE INDEX visioCall_time ON visioCall(startedAt);
                    """)
        }
        migrator.registerMigration("v6-opening-calendar") { db in
            try db.execute(
                sql: """
                    -- The history of the weekly plan: each row applies from its local date until
                    -- the next one, so a past period keeps the hours it had and a change can be
                    -- announced ahead. Before the first row, the configuration's hours apply.
                    CREATE TABLE hoursChange (
                        effectiveFrom TEXT PRIMARY KEY,  -- YYYY-MM-DD, local date
                        hours TEXT NOT NULL,             -- JSON: {"monday": ["09:00-12:30"], …}
                        revision INTEGER NOT NULL,
                        updatedAt INTEGER NOT NULL
                    ) STRICT;
                    INSERT INTO hoursChange (effectiveFrom, hours, revision, updatedAt)
                        SELECT effectiveFrom, hours, revision, updatedAt FROM hoursPlan;
                    DROP TABLE hoursPlan;

                    -- Public holidays the manager declared open; every other one is closed.
                    CREATE TABLE holidayOpening (
                        date TEXT PRIMARY KEY,           -- YYYY-MM-DD, local date
                        createdAt INTEGER NOT NULL
                    ) STRICT;

                    -- One row rewritten by each health check: a real committed write, so a full
                    -- disk or a read-only file shows in /healthz.
                    CREATE TABLE healthProbe (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        at INTEGER NOT NULL
                    ) STRICT;
                    """)
        }
        migrator.registerMigration("v7-devices") { db in
            try db.execute(
                sql: """
                    -- The structure's other PCs (stations, the room), by their id in the configuration.
                    -- Codes and credentials: SHA-256 hashes, never the secrets themselves.
                    CREATE TABLE device (
                        id TEXT PRIMARY KEY,
                        kind TEXT NOT NULL CHECK (kind IN ('station', 'room')),
                        codeHash TEXT UNIQUE,
                        codeExpiresAt INTEGER,
                        credentialHash TEXT UNIQUE,
                        enrolledAt INTEGER,
                        revokedAt INTEGER,
                        lastContactAt INTEGER,
                        version TEXT,
                        health TEXT,
                        CHECK ((codeHash IS NULL) = (codeExpiresAt IS NULL)),
                        CHECK (credentialHash IS NULL OR revokedAt IS NULL)
                    ) STRICT;

                    -- What a device's outbox delivered, by its idempotency key: a record sent
                    -- twice (the answer lost on the way back) is taken once.
                    CREATE TABLE deviceDelivery (
                        device TEXT NOT NULL,
                        key TEXT NOT NULL,
                        receivedAt INTEGER NOT NULL,
                        PRIMARY KEY (device, key)
                    ) STRICT, WITHOUT ROWID;

                    -- On a station's own PC: its facts waiting for the server, oldest first.
                    CREATE TABLE outbox (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT,
                        key TEXT NOT NULL UNIQUE,
                        payload TEXT NOT NULL,           -- a StationRecord, JSON
                        queuedAt INTEGER NOT NULL
                    ) STRICT;
                    """)
        }
        migrator.registerMigration("v8-visio-guest") { db in
            try db.execute(
                sql: """
                    -- One more participant a visio booking invites (an interpreter, a second
                    -- advisor): their own link, like the specialist's; deleted when withdrawn.
                    CREATE TABLE visioGuest (
                        booking TEXT PRIMARY KEY REFERENCES booking(id),
                        token TEXT NOT NULL UNIQUE,
                        createdAt INTEGER NOT NULL
                    ) STRICT;
                    """)
        }
        migrator.registerMigration("v9-booking-notices") { db in
            try db.execute(
                sql: """
                    -- The notices a usager asked for (confirmation, reminder, moved, cancelled),
                    -- one row per channel, notice and appointment start once its first attempt begins.
                    -- No address and no text: the message is written from the booking when sent,
                    -- and the purge's clearing of the booking's contacts ends every notice.
                    CREATE TABLE bookingNotice (
                        booking TEXT NOT NULL REFERENCES booking(id),
                        channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
                        kind TEXT NOT NULL CHECK (kind IN ('confirmation', 'reminder', 'moved', 'cancelled')),
                        startsAt INTEGER NOT NULL,
                        attempts INTEGER NOT NULL CHECK (attempts > 0),
                        nextAttemptAt INTEGER NOT NULL,
                        sentAt INTEGER,
                        gaveUpAt INTEGER,
                        lastError TEXT,
                        PRIMARY KEY (booking, channel, kind, startsAt),
                        CHECK (sentAt IS NULL OR gaveUpAt IS NULL)
                    ) STRICT, WITHOUT ROWID;
                    CREATE INDEX bookingNotice_gaveUp ON bookingNotice(gaveUpAt) WHERE gaveUpAt IS NOT NULL;
                    """)
        }
        migrator.registerMigration("v10-self-booking") { db in
            try db.execute(
                sql: """
                    -- What usagers may book themselves, as the manager sets it (one row; none: off).
                    CREATE TABLE selfBookingSettings (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
                        partners TEXT NOT NULL,
                        kinds TEXT NOT NULL,
                        horizonDays INTEGER NOT NULL CHECK (horizonDays BETWEEN 1 AND 92),
                        minimumNoticeHours INTEGER NOT NULL CHECK (minimumNoticeHours BETWEEN 0 AND 336),
                        updatedAt INTEGER NOT NULL
                    ) STRICT;

                    -- A booking the usager made themselves: its personal code (the link to see,
                    -- move or cancel it) and the contact key the per-contact limit counts by.
                    -- The purge clears both with the booking's other personal data.
                    CREATE TABLE selfBooking (
                        booking TEXT PRIMARY KEY REFERENCES booking(id),
                        code TEXT UNIQUE,
                        contact TEXT,
                        createdAt INTEGER NOT NULL
                    ) STRICT;
                    CREATE INDEX selfBooking_contact ON selfBooking(contact) WHERE contact IS NOT NULL;
                    """)
        }
        migrator.registerMigration("v11-closure-notices") { db in
            // SQLite cannot widen a CHECK: the table is rebuilt with its rows, in this transaction.
            try db.execute(
                sql: """
                    CREATE TABLE bookingNotice_v11 (
                        booking TEXT NOT NULL REFERENCES booking(id),
                        channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
                        kind TEXT NOT NULL CHECK (kind IN ('confirmation', 'reminder', 'moved', 'cancelled', 'closure')),
                        startsAt INTEGER NOT NULL,
                        attempts INTEGER NOT NULL CHECK (attempts > 0),
                        nextAttemptAt INTEGER NOT NULL,
                        sentAt INTEGER,
                        gaveUpAt INTEGER,
                        lastError TEXT,
                        PRIMARY KEY (booking, channel, kind, startsAt),
                        CHECK (sentAt IS NULL OR gaveUpAt IS NULL)
                    ) STRICT, WITHOUT ROWID;
                    INSERT INTO bookingNotice_v11 SELECT booking, channel, kind, startsAt, attempts, nextAttemptAt, sentAt, gaveUpAt, lastError FROM bookingNotice;
                    DROP TABLE bookingNotice;
                    ALTER TABLE bookingNotice_v11 RENAME TO bookingNotice;
                    CREATE INDEX bookingNotice_gaveUp ON bookingNotice(gaveUpAt) WHERE gaveUpAt IS NOT NULL;
                    """)
        }
        migrator.registerMigration("v12-network-coordinator") { db in
            // The network's coordinator: reads every structure of the network, writes nothing.
            try db.execute(
                sql: """
                    CREATE TABLE agent_v12 (
                        id TEXT PRIMARY KEY,
                        login TEXT NOT NULL UNIQUE COLLATE NOCASE,
                        displayName TEXT NOT NULL,
                        passwordHash TEXT NOT NULL,
                        role TEXT NOT NULL CHECK (role IN ('agent', 'manager', 'coordinator')),
                        active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
                        createdAt INTEGER NOT NULL
                    ) STRICT;
                    INSERT INTO agent_v12 SELECT id, login, displayName, passwordHash, role, active, createdAt FROM agent;
                    DROP TABLE agent;
                    ALTER TABLE agent_v12 RENAME TO agent;
                    """)
        }
        migrator.registerMigration("v13-station-language") { db in
            // The language a station session was shown in: the console's help line and the
            // reports' count by language (no other personal detail).
            try db.execute(sql: "ALTER TABLE stationSession ADD COLUMN language TEXT CHECK (language IS NULL OR length(language) BETWEEN 2 AND 8)")
        }
        migrator.registerMigration("v14-network-accounts") { db in
            // A network's account, kept here as last seen there (its role, its password's hash)
            // for its sessions, and its sign-in while the network is out of reach.
            try db.execute(sql: "ALTER TABLE agent ADD COLUMN network INTEGER NOT NULL DEFAULT 0 CHECK (network IN (0, 1))")
        }
        return migrator
    }
}

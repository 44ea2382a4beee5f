-- Data keys (sqlite): the keys that seal and index data, kept here sealed ("wrapped") by the master
-- key, so that the master key can change without re-deriving what depends on them.
--
-- One row per generation. 'current' seals new values; 'next' is known to every replica but not
-- used yet (a master-key rotation in progress); 'retired' still opens what it sealed. Generation
-- 0 also keys the pairwise subjects, which never change. An installation made before this
-- table has generation 0 equal to its first master key, so nothing stored needs rewriting.
CREATE TABLE data_keys (
    generation INTEGER PRIMARY KEY,
    state      TEXT NOT NULL CHECK (state IN ('next', 'current', 'retired')),
    created_at INTEGER NOT NULL,
    retired_at INTEGER,
    -- For the 'next' generation: the master key the rotation goes to (finishing needs that key).
    rotate_to  TEXT
);

-- A generation wrapped by one master key (AES-256-GCM under a key derived from it). During a
-- rotation every generation is wrapped by both the old and the new master key; finishing the
-- rotation deletes the old key's rows. master_check identifies the master key without revealing it.
CREATE TABLE data_key_wraps (
    generation   INTEGER NOT NULL REFERENCES data_keys (generation),
    master_check TEXT NOT NULL,
    wrapped      BLOB NOT NULL,
    PRIMARY KEY (generation, master_check)
);

-- The city's registers (Pasal 5, 7-12): agencies (OPD), applications and their documentation,
-- domains, networks, data groups with their stewards (Wali Data), and the developer portal's
-- client registrations with the claim decisions of each steward.

-- Agencies of the city. `id` is a short code (e.g. `diskominfo`); `name_key` is the lower-case
-- name for prefix search.
CREATE TABLE opds (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    name_key   TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('sekretariat', 'dinas', 'badan', 'kecamatan', 'kelurahan', 'rsud', 'uptd', 'lainnya')),
    status     TEXT NOT NULL CHECK (status IN ('active', 'retired')),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX opds_name ON opds (name_key, id);

-- Accounts belong to an OPD (ASN); `name_key` serves the admin's prefix search over a million
-- accounts without a scan. Name keys compare bytewise on both backends (PostgreSQL: COLLATE "C"),
-- so a prefix is one index range.
ALTER TABLE accounts ADD COLUMN opd_id TEXT REFERENCES opds (id);
ALTER TABLE accounts ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
UPDATE accounts SET name_key = lower(display_name);
CREATE INDEX accounts_name_key ON accounts (name_key, id);
CREATE INDEX accounts_opd ON accounts (opd_id, id);

-- Applications (Pasal 7-10): kind, owner, funding, copyright (Pasal 8(3)), SSO onboarding (Pasal 7(5)).
CREATE TABLE applications (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    name_key       TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('umum', 'khusus')),
    opd_id         TEXT NOT NULL REFERENCES opds (id),
    funding        TEXT NOT NULL CHECK (funding IN ('apbd', 'apbd_provinsi', 'apbn', 'hibah', 'pinjaman_daerah', 'lainnya')),
    funding_note   TEXT NOT NULL,
    city_copyright BOOLEAN NOT NULL,
    onboarding     TEXT NOT NULL CHECK (onboarding IN ('planned', 'integrating', 'live', 'retired')),
    url            TEXT NOT NULL,
    description    TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX applications_name ON applications (name_key, id);
CREATE INDEX applications_opd ON applications (opd_id, id);

-- The documentation handed over (Pasal 8(2)): one row per item, with a link or an uploaded
-- file, and who checked it.
CREATE TABLE application_docs (
    application_id TEXT NOT NULL REFERENCES applications (id),
    item           TEXT NOT NULL,
    link           TEXT,
    file_name      TEXT,
    file_sha256    BLOB,
    file_data      BLOB,
    checked_by     TEXT REFERENCES accounts (id),
    checked_at     INTEGER,
    updated_at     INTEGER NOT NULL,
    PRIMARY KEY (application_id, item)
);

-- Which application a client serves (reports per application; the portal's registrations).
ALTER TABLE clients ADD COLUMN application_id TEXT REFERENCES applications (id);

-- Domains (Pasal 11): the city's domain and the OPD subdomains set by mayoral decree.
CREATE TABLE domains (
    name          TEXT PRIMARY KEY,
    opd_id        TEXT REFERENCES opds (id),
    decree_number TEXT NOT NULL,
    decree_date   TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('active', 'retired')),
    note          TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);

-- Networks (Pasal 5): ranges of the city network assigned to each OPD, one per line in `cidrs`.
-- The gateway reads them beside `policies/networks.toml`; overlaps are refused by the service.
CREATE TABLE networks (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    opd_id      TEXT NOT NULL REFERENCES opds (id),
    cidrs       TEXT NOT NULL,
    city        BOOLEAN NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- Database groups (Pasal 12(4)) and the steward appointed to each (Pasal 12(6)).
CREATE TABLE data_groups (
    id            TEXT PRIMARY KEY,
    letter        TEXT NOT NULL,
    name          TEXT NOT NULL,
    steward_id    TEXT REFERENCES accounts (id),
    decree_ref    TEXT NOT NULL,
    appointed_at  INTEGER,
    updated_at    INTEGER NOT NULL
);

-- The data group each personal-data claim belongs to: its steward decides its release.
CREATE TABLE claim_groups (
    claim         TEXT PRIMARY KEY,
    data_group_id TEXT NOT NULL REFERENCES data_groups (id)
);

-- Developer portal: a request for a new client or for a change that widens a live one.
CREATE TABLE client_registrations (
    id              TEXT PRIMARY KEY,
    client_id       TEXT NOT NULL,
    purpose         TEXT NOT NULL CHECK (purpose IN ('new', 'change')),
    application_id  TEXT NOT NULL REFERENCES applications (id),
    developer_id    TEXT NOT NULL REFERENCES accounts (id),
    name            TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('confidential', 'public')),
    redirect_uris   TEXT NOT NULL,
    backchannel_logout_uri TEXT,
    scopes          TEXT NOT NULL,
    secret_hash     BLOB,
    logo_type       TEXT,
    logo            BLOB,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'withdrawn')),
    decided_by      TEXT REFERENCES accounts (id),
    decided_at      INTEGER,
    reason          TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX client_registrations_developer ON client_registrations (developer_id, created_at);
CREATE INDEX client_registrations_status ON client_registrations (status, created_at);
CREATE INDEX client_registrations_client ON client_registrations (client_id);

-- Each claim a registration asks for, why, and its steward's decision.
CREATE TABLE registration_claims (
    registration_id TEXT NOT NULL REFERENCES client_registrations (id),
    claim           TEXT NOT NULL,
    purpose         TEXT NOT NULL,
    data_group_id   TEXT NOT NULL REFERENCES data_groups (id),
    decision        TEXT NOT NULL CHECK (decision IN ('pending', 'approved', 'rejected')),
    decided_by      TEXT REFERENCES accounts (id),
    decided_at      INTEGER,
    reason          TEXT NOT NULL,
    PRIMARY KEY (registration_id, claim)
);
CREATE INDEX registration_claims_group ON registration_claims (data_group_id, decision);

-- Audit search by actor, action and time.
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_actor ON audit_log (actor, seq);
CREATE INDEX audit_log_target ON audit_log (target, seq);

-- Reports: sign-ins and grants by time.
CREATE INDEX sign_ins_at ON sign_ins (at);
CREATE INDEX grants_created ON grants (created_at);

-- Seed: OPDs of Kota Padang Panjang (domain brief §5.3; check against the current Perda before
-- relying on it; administrators edit this register).
INSERT INTO opds (id, name, name_key, kind, status, created_at, updated_at) VALUES
 ('setda', 'Sekretariat Daerah', 'sekretariat daerah', 'sekretariat', 'active', 0, 0),
 ('setwan', 'Sekretariat DPRD', 'sekretariat dprd', 'sekretariat', 'active', 0, 0),
 ('inspektorat', 'Inspektorat Daerah', 'inspektorat daerah', 'lainnya', 'active', 0, 0),
 ('diskominfo', 'Dinas Komunikasi dan Informatika', 'dinas komunikasi dan informatika', 'dinas', 'active', 0, 0),
 ('dinkes', 'Dinas Kesehatan', 'dinas kesehatan', 'dinas', 'active', 0, 0),
 ('disdikpora', 'Dinas Pendidikan, Pemuda dan Olahraga', 'dinas pendidikan, pemuda dan olahraga', 'dinas', 'active', 0, 0),
 ('dpupr', 'Dinas Pekerjaan Umum dan Penataan Ruang', 'dinas pekerjaan umum dan penataan ruang', 'dinas', 'active', 0, 0),
 ('dinsos', 'Dinas Sosial, PPKB, PP dan PA', 'dinas sosial, ppkb, pp dan pa', 'dinas', 'active', 0, 0),
 ('dpp', 'Dinas Pangan dan Pertanian', 'dinas pangan dan pertanian', 'dinas', 'active', 0, 0),
 ('perkim', 'Dinas Perumahan, Kawasan Permukiman dan Lingkungan Hidup', 'dinas perumahan, kawasan permukiman dan lingkungan hidup', 'dinas', 'active', 0, 0),
 ('disdukcapil', 'Dinas Kependudukan dan Pencatatan Sipil', 'dinas kependudukan dan pencatatan sipil', 'dinas', 'active', 0, 0),
 ('dkukmp', 'Dinas Perdagangan, Koperasi dan UKM', 'dinas perdagangan, koperasi dan ukm', 'dinas', 'active', 0, 0),
 ('dpmptsp', 'Dinas Penanaman Modal dan PTSP', 'dinas penanaman modal dan ptsp', 'dinas', 'active', 0, 0),
 ('dispusip', 'Dinas Perpustakaan dan Kearsipan', 'dinas perpustakaan dan kearsipan', 'dinas', 'active', 0, 0),
 ('dispar', 'Dinas Pariwisata', 'dinas pariwisata', 'dinas', 'active', 0, 0),
 ('dishub', 'Dinas Perhubungan', 'dinas perhubungan', 'dinas', 'active', 0, 0),
 ('bappeda', 'Badan Perencanaan Pembangunan Daerah', 'badan perencanaan pembangunan daerah', 'badan', 'active', 0, 0),
 ('bkpsdm', 'Badan Kepegawaian dan Pengembangan SDM', 'badan kepegawaian dan pengembangan sdm', 'badan', 'active', 0, 0),
 ('bpkd', 'Badan Pengelola Keuangan Daerah', 'badan pengelola keuangan daerah', 'badan', 'active', 0, 0),
 ('bpbd', 'Badan Penanggulangan Bencana Daerah dan Kesbangpol', 'badan penanggulangan bencana daerah dan kesbangpol', 'badan', 'active', 0, 0),
 ('satpolpp', 'Satuan Polisi Pamong Praja dan Pemadam Kebakaran', 'satuan polisi pamong praja dan pemadam kebakaran', 'lainnya', 'active', 0, 0),
 ('kec-ppt', 'Kecamatan Padang Panjang Timur', 'kecamatan padang panjang timur', 'kecamatan', 'active', 0, 0),
 ('kec-ppb', 'Kecamatan Padang Panjang Barat', 'kecamatan padang panjang barat', 'kecamatan', 'active', 0, 0),
 ('rsud', 'RSUD Padang Panjang', 'rsud padang panjang', 'rsud', 'active', 0, 0);

-- Seed: the city's domain (Pasal 11, set by the regulation itself).
INSERT INTO domains (name, opd_id, decree_number, decree_date, status, note, created_at, updated_at) VALUES
 ('padangpanjang.go.id', 'diskominfo', 'Perwako Padang Panjang No. 18 Tahun 2018, Pasal 11', '2018-06-04', 'active', '', 0, 0);

-- Seed: the twenty database groups of Pasal 12(4); stewards are appointed by the mayor.
INSERT INTO data_groups (id, letter, name, steward_id, decree_ref, appointed_at, updated_at) VALUES
 ('pelayanan', 'a', 'Basis data pelayanan', NULL, '', NULL, 0),
 ('administrasi', 'b', 'Basis data administrasi dan manajemen', NULL, '', NULL, 0),
 ('legislasi', 'c', 'Basis data legislasi', NULL, '', NULL, 0),
 ('pembangunan', 'd', 'Basis data pembangunan daerah', NULL, '', NULL, 0),
 ('keuangan', 'e', 'Basis data keuangan', NULL, '', NULL, 0),
 ('kepegawaian', 'f', 'Basis data kepegawaian', NULL, '', NULL, 0),
 ('pemerintahan', 'g', 'Basis data pemerintahan', NULL, '', NULL, 0),
 ('kewilayahan', 'h', 'Basis data kewilayahan', NULL, '', NULL, 0),
 ('kemasyarakatan', 'i', 'Basis data kemasyarakatan', NULL, '', NULL, 0),
 ('kependudukan', 'j', 'Basis data kependudukan', NULL, '', NULL, 0),
 ('kesehatan', 'k', 'Basis data kesehatan', NULL, '', NULL, 0),
 ('pendidikan', 'l', 'Basis data pendidikan', NULL, '', NULL, 0),
 ('ketenagakerjaan', 'm', 'Basis data ketenagakerjaan', NULL, '', NULL, 0),
 ('pertanian', 'n', 'Basis data pertanian', NULL, '', NULL, 0),
 ('perdagangan', 'o', 'Basis data perdagangan', NULL, '', NULL, 0),
 ('perikanan-peternakan', 'p', 'Basis data perikanan dan peternakan', NULL, '', NULL, 0),
 ('transportasi', 'q', 'Basis data transportasi', NULL, '', NULL, 0),
 ('pariwisata-perhotelan', 'r', 'Basis data pariwisata dan perhotelan', NULL, '', NULL, 0),
 ('prasarana-kota', 's', 'Basis data prasarana kota', NULL, '', NULL, 0),
 ('lainnya', 't', 'Basis data lainnya sesuai kebutuhan', NULL, '', NULL, 0);

-- Seed: the claims of people's data and their groups (NIK: Pasal 12(9); NIP and OPD: Pasal 12(8)).
INSERT INTO claim_groups (claim, data_group_id) VALUES
 ('nik', 'kependudukan'),
 ('nip', 'kepegawaian'),
 ('opd', 'kepegawaian'),
 ('roles', 'kepegawaian');

-- Seed: the seven common applications of Pasal 9, planned for SSO until they are onboarded.
INSERT INTO applications (id, name, name_key, kind, opd_id, funding, funding_note, city_copyright, onboarding, url, description, created_at, updated_at) VALUES
 ('e-office', 'Aplikasi Tata Naskah Dinas Elektronik', 'aplikasi tata naskah dinas elektronik', 'umum', 'diskominfo', 'apbd', '', 1, 'planned', '', 'Aplikasi umum, Pasal 9 huruf a', 0, 0),
 ('e-mail', 'Aplikasi Surat Elektronik', 'aplikasi surat elektronik', 'umum', 'diskominfo', 'apbd', '', 1, 'planned', '', 'Aplikasi umum, Pasal 9 huruf b', 0, 0),
 ('e-kinerja', 'Aplikasi Penilaian Kinerja Pegawai', 'aplikasi penilaian kinerja pegawai', 'umum', 'bkpsdm', 'apbd', '', 1, 'planned', '', 'Aplikasi umum, Pasal 9 huruf c', 0, 0),
 ('sipkd', 'Aplikasi Sistem Informasi Pengelolaan Keuangan Daerah', 'aplikasi sistem informasi pengelolaan keuangan daerah', 'umum', 'bpkd', 'apbd', '', 1, 'planned', '', 'Aplikasi umum, Pasal 9 huruf d', 0, 0),
 ('simpeg', 'Aplikasi Sistem Informasi Kepegawaian Daerah', 'aplikasi sistem informasi kepegawaian daerah', 'umum', 'bkpsdm', 'apbd', '', 1, 'planned', '', 'Aplikasi umum, Pasal 9 huruf e', 0, 0),
 ('sippd', 'Aplikasi Sistem Informasi Perencanaan Pembangunan Daerah', 'aplikasi sistem informasi perencanaan pembangunan daerah', 'umum', 'bappeda', 'apbd', '', 1, 'planned', '', 'Aplikasi umum, Pasal 9 huruf f', 0, 0),
 ('e-monev', 'Aplikasi Sistem Informasi Evaluasi dan Pelaporan', 'aplikasi sistem informasi evaluasi dan pelaporan', 'umum', 'bappeda', 'apbd', '', 1, 'planned', '', 'Aplikasi umum, Pasal 9 huruf g', 0, 0);

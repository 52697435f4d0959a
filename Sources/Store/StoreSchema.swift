/// The database schema, as versioned migrations.
///
/// Why normalised columns and no JSON documents: operators query the store with the `sqlite3`
/// shell or `psql`, and fleet-wide rules read a few columns of every host's latest snapshot; both need plain
/// columns. A snapshot is rebuilt from its rows (``SnapshotRows``), so every field has a column.
enum StoreSchema {
    /// Migration identifiers this build knows, oldest first. A database that has applied an
    /// identifier not in this list was written by a newer sriov-audit.
    static var migrations: [String] { steps.map(\.identifier) }

    /// Each migration's DDL, in SQLite's words (``SQLDialect/ddl(_:)`` gives PostgreSQL's).
    /// v5 creates the fact tables only: the facts of snapshots stored before are derived right
    /// after (``InventoryStore/deriveMissingFacts(batchSize:progress:)``), with progress, in batches.
    static let steps: [(identifier: String, sql: String)] = [
        ("v1-inventory", v1),
        ("v2-vf-table-shortfalls", v2),
        ("v3-server", v3),
        ("v4-millisecond-times", v4),
        ("v5-audit-facts", v5),
        ("v6-vf-consumers", ConsumerRows.ddl),
        ("v7-vf-health", HealthRows.ddl),
    ]

    /// PF interfaces whose VF table is partial (``VFTableShortfall``). Its own table, not columns
    /// of `interfaces`, so that snapshots stored before it keep their content digest: a table
    /// added after v1 enters the digest only when it has rows.
    static let v2 = """
        CREATE TABLE vf_table_shortfalls (
            snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
            interface TEXT NOT NULL,
            expected INTEGER NOT NULL, expected_source TEXT NOT NULL, received INTEGER NOT NULL,
            PRIMARY KEY (snapshot_id, interface)
        ) WITHOUT ROWID;
        """

    /// What `sriov-audit serve` keeps besides snapshots: push tokens (only their SHA-256) with
    /// the labels given at issue time, and the audit reports hosts push about themselves.
    static let v3 = """
        CREATE TABLE tokens (
            id INTEGER PRIMARY KEY,
            -- the host a `host` token may push for; a name for a `reader` token
            hostname TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('host', 'reader')),
            sha256 TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL,
            last_used_at TEXT,
            revoked_at TEXT
        );
        CREATE INDEX tokens_by_host ON tokens(hostname);
        CREATE TABLE token_labels (
            token_id INTEGER NOT NULL REFERENCES tokens(id) ON DELETE CASCADE,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (token_id, key)
        ) WITHOUT ROWID;
        CREATE TABLE host_reports (
            id INTEGER PRIMARY KEY,
            hostname TEXT NOT NULL,
            run_id TEXT NOT NULL,
            received_at TEXT NOT NULL,
            generated_at TEXT,
            compliant INTEGER,
            body BLOB NOT NULL,
            UNIQUE (hostname, run_id)
        );
        """

    /// Collection times to the millisecond (``Timestamp/storeText(_:)``), so that two
    /// collections of a host within one second are two observations. Times stored before were
    /// whole seconds (`…:56Z`); they get their `.000`, or text order would no longer be time order
    /// (`…:56.500Z` sorts before `…:56Z`).
    static let v4 = """
        UPDATE observations SET collected_at = substr(collected_at, 1, 19) || '.000Z'
            WHERE length(collected_at) = 20 AND substr(collected_at, 20, 1) = 'Z';
        UPDATE snapshots SET first_collected_at = substr(first_collected_at, 1, 19) || '.000Z'
            WHERE length(first_collected_at) = 20 AND substr(first_collected_at, 20, 1) = 'Z';
        UPDATE snapshots SET last_collected_at = substr(last_collected_at, 1, 19) || '.000Z'
            WHERE length(last_collected_at) = 20 AND substr(last_collected_at, 20, 1) = 'Z';
        UPDATE hosts SET first_seen = substr(first_seen, 1, 19) || '.000Z'
            WHERE length(first_seen) = 20 AND substr(first_seen, 20, 1) = 'Z';
        UPDATE hosts SET last_seen = substr(last_seen, 1, 19) || '.000Z'
            WHERE length(last_seen) = 20 AND substr(last_seen, 20, 1) = 'Z';
        """

    /// The audit's facts (``AuditFacts``), per distinct snapshot content: the whole value encoded,
    /// and the narrow rows the cross-host checks group on; then the per-host results of the
    /// checks, cached per snapshot content, rules fingerprint and host labels.
    static let v5 = """
        CREATE TABLE audit_facts (
            snapshot_id INTEGER PRIMARY KEY REFERENCES snapshots(id) ON DELETE CASCADE,
            version INTEGER NOT NULL,
            body BLOB NOT NULL
        );
        -- PCI PFs (owner = position × 2) and netdev-only PFs (position × 2 + 1, no address).
        CREATE TABLE fact_pfs (
            snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
            owner INTEGER NOT NULL,
            address TEXT, interfaces TEXT NOT NULL,
            vendor_id TEXT, device_id TEXT, subsystem_vendor_id TEXT, subsystem_device_id TEXT, device_name TEXT,
            driver TEXT, has_driver_info INTEGER NOT NULL, model TEXT, model_name TEXT,
            -- versions as ethtool reports them, and keys that sort as the vendor's versions order
            firmware TEXT, firmware_key TEXT, driver_version TEXT, driver_key TEXT,
            num_vfs INTEGER, total_vfs INTEGER, present_vfs INTEGER NOT NULL,
            PRIMARY KEY (snapshot_id, owner)
        ) WITHOUT ROWID;
        -- Every VF (position: its place in the host's VF list); MACs as 48-bit integers.
        CREATE TABLE fact_vfs (
            snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            owner INTEGER NOT NULL, vf_index INTEGER NOT NULL, address TEXT, pf_interface TEXT,
            admin_mac INTEGER, admin_mac_text TEXT, netdev_mac INTEGER, netdev_mac_text TEXT,
            vlan INTEGER, qos INTEGER, spoofchk INTEGER, trust INTEGER, driver TEXT, has_netdev INTEGER NOT NULL,
            PRIMARY KEY (snapshot_id, position)
        ) WITHOUT ROWID;
        CREATE TABLE fact_interface_macs (
            snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            name TEXT NOT NULL, address TEXT NOT NULL, mac INTEGER, mac_text TEXT,
            PRIMARY KEY (snapshot_id, position)
        ) WITHOUT ROWID;
        -- Every comparable MAC use, ordered by MAC: the fleet's duplicate MACs are a streaming
        -- GROUP BY over this key order, with no sort. Ethernet MACs as their 48-bit value;
        -- other addresses (their text is in fact_vfs / fact_interface_macs) as a negative hash.
        CREATE TABLE fact_macs (
            mac INTEGER NOT NULL,
            snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            PRIMARY KEY (mac, snapshot_id, position)
        ) WITHOUT ROWID;
        CREATE INDEX fact_macs_by_snapshot ON fact_macs(snapshot_id);
        CREATE TABLE audit_results (
            snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
            fingerprint TEXT NOT NULL,
            labels TEXT NOT NULL,
            body BLOB NOT NULL,
            PRIMARY KEY (snapshot_id, fingerprint, labels)
        ) WITHOUT ROWID;
        CREATE TABLE audit_fingerprints (
            fingerprint TEXT PRIMARY KEY,
            last_used TEXT NOT NULL
        );
        """

    static let v1 = """
        CREATE TABLE hosts (
            id INTEGER PRIMARY KEY,
            hostname TEXT NOT NULL UNIQUE,
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            latest_snapshot_id INTEGER
        );
        CREATE TABLE host_labels (
            host_id INTEGER NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (host_id, key)
        ) WITHOUT ROWID;
        -- One row per distinct content of a host: collecting an unchanged host adds an observation,
        -- not a snapshot.
        CREATE TABLE snapshots (
            id INTEGER PRIMARY KEY,
            host_id INTEGER NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
            content_hash TEXT NOT NULL,
            first_collected_at TEXT NOT NULL,
            last_collected_at TEXT NOT NULL,
            seen_count INTEGER NOT NULL,
            schema_version INTEGER NOT NULL,
            kernel_release TEXT,
            kernel_cmdline TEXT,
            iommu_enabled INTEGER,
            iommu_units TEXT,
            iommu_group_count INTEGER NOT NULL,
            iommu_cmdline_options TEXT NOT NULL,
            pci_device_count INTEGER NOT NULL,
            pf_count INTEGER NOT NULL,
            vf_count INTEGER NOT NULL,
            UNIQUE (host_id, content_hash)
        );
        -- Every collection or import of a host: when, by which tool, from where, and which content.
        CREATE TABLE observations (
            host_id INTEGER NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
            collected_at TEXT NOT NULL,
            snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
            tool_version TEXT NOT NULL,
            source_kind TEXT NOT NULL,
            source_path TEXT,
            PRIMARY KEY (host_id, collected_at)
        ) WITHOUT ROWID;
        CREATE INDEX observations_by_snapshot ON observations(snapshot_id);
        CREATE TABLE pci_devices (
            snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
            address TEXT NOT NULL,
            vendor_id TEXT NOT NULL, device_id TEXT NOT NULL,
            subsystem_vendor_id TEXT, subsystem_device_id TEXT,
            vendor_name TEXT, device_name TEXT, subsystem_name TEXT,
            class_code TEXT NOT NULL, class_name TEXT, revision TEXT,
            driver TEXT, driver_override TEXT, numa_node INTEGER, iommu_group INTEGER,
            parent_bridges TEXT NOT NULL, pcie_type TEXT,
            link_current_speed TEXT, link_current_width INTEGER, link_max_speed TEXT, link_max_width INTEGER,
            has_link INTEGER NOT NULL,
            config_space_size INTEGER NOT NULL,
            physfn TEXT, interfaces TEXT NOT NULL,
            sriov_cap_offset INTEGER, sriov_vf_enable INTEGER, sriov_vf_mse INTEGER, sriov_ari INTEGER,
            sriov_initial_vfs INTEGER, sriov_total_vfs INTEGER, sriov_num_vfs INTEGER, sriov_fdl INTEGER,
            sriov_first_vf_offset INTEGER, sriov_vf_stride INTEGER, sriov_vf_device_id TEXT,
            sriov_page_sizes INTEGER, sriov_system_page_size INTEGER,
            acs_offset INTEGER, acs_capability INTEGER, acs_control INTEGER,
            PRIMARY KEY (snapshot_id, address)
        ) WITHOUT ROWID;
        CREATE TABLE physical_functions (
            snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
            address TEXT NOT NULL,
            total_vfs INTEGER, num_vfs INTEGER, vf_offset INTEGER, vf_stride INTEGER, vf_device_id TEXT,
            drivers_autoprobe INTEGER, vf_total_msix INTEGER, source TEXT NOT NULL, interfaces TEXT NOT NULL,
            driver TEXT, driver_version TEXT, firmware_version TEXT, erom_version TEXT, bus_info TEXT,
            PRIMARY KEY (snapshot_id, address)
        ) WITHOUT ROWID;
        CREATE TABLE virtual_functions (
            snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
            address TEXT NOT NULL,
            pf_address TEXT NOT NULL, vf_index INTEGER NOT NULL,
            driver TEXT, iommu_group INTEGER, interfaces TEXT NOT NULL, effective_mac TEXT,
            -- the PF interface whose VF table (interface_vfs) holds this VF's settings
            config_interface TEXT,
            PRIMARY KEY (snapshot_id, address)
        ) WITHOUT ROWID;
        CREATE TABLE interfaces (
            snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
            name TEXT NOT NULL, ifindex INTEGER NOT NULL, mac TEXT, mtu INTEGER, oper_state TEXT,
            admin_up INTEGER NOT NULL, carrier INTEGER, speed_mbps INTEGER, link_type TEXT,
            parent_bus TEXT, parent_device TEXT, phys_port_name TEXT, phys_switch_id TEXT,
            driver TEXT, driver_version TEXT, firmware_version TEXT, erom_version TEXT, bus_info TEXT,
            num_vfs INTEGER,
            PRIMARY KEY (snapshot_id, name)
        ) WITHOUT ROWID;
        -- A PF interface's VF table (IFLA_VFINFO_LIST): the administrator's settings per VF index.
        CREATE TABLE interface_vfs (
            snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
            interface TEXT NOT NULL, vf_index INTEGER NOT NULL,
            mac TEXT NOT NULL, vlan INTEGER NOT NULL, qos INTEGER NOT NULL, vlan_protocol TEXT,
            spoofchk INTEGER, trust INTEGER, link_state TEXT,
            min_tx_rate INTEGER, max_tx_rate INTEGER, tx_rate INTEGER, rss_query INTEGER,
            PRIMARY KEY (snapshot_id, interface, vf_index)
        ) WITHOUT ROWID;
        CREATE TABLE iommu_groups (
            snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
            group_id INTEGER NOT NULL, type TEXT, name TEXT,
            members TEXT NOT NULL, other_members TEXT NOT NULL, member_count INTEGER NOT NULL,
            PRIMARY KEY (snapshot_id, group_id)
        ) WITHOUT ROWID;
        CREATE TABLE warnings (
            snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL, kind TEXT NOT NULL, subject TEXT NOT NULL, message TEXT NOT NULL,
            PRIMARY KEY (snapshot_id, seq)
        ) WITHOUT ROWID;
        -- Each VF with its admin settings, for queries.
        CREATE VIEW vf_settings AS
            SELECT v.snapshot_id, v.address, v.pf_address, v.vf_index, v.driver, v.iommu_group, v.effective_mac,
                   c.mac AS admin_mac, c.vlan, c.qos, c.vlan_protocol, c.spoofchk, c.trust, c.link_state,
                   c.min_tx_rate, c.max_tx_rate
            FROM virtual_functions v
            LEFT JOIN interface_vfs c
              ON c.snapshot_id = v.snapshot_id AND c.interface = v.config_interface AND c.vf_index = v.vf_index;
        -- The latest snapshot of every host.
        CREATE VIEW latest_snapshots AS
            SELECT h.hostname, h.last_seen, s.*
            FROM hosts h JOIN snapshots s ON s.id = h.latest_snapshot_id;
        """
}

/// A result's column positions by name, resolved once per query so rows can be read by position.
/// A missing column is a damaged or foreign database, reported as such rather than read as NULL.
struct ColumnMap {
    let table: String
    private let positions: [String: Int]
    private let names: [String]
    /// A result with no rows whose columns the backend did not describe (PostgreSQL's collected
    /// results carry names only in their rows): any name resolves, and is never read.
    private let unknown: Bool

    init(table: String, names: [String], unknown: Bool = false) {
        self.table = table
        self.names = names
        self.unknown = unknown
        var positions: [String: Int] = [:]
        for (index, name) in names.enumerated() where positions[name] == nil { positions[name] = index }
        self.positions = positions
    }

    func at(_ name: String) throws -> Int {
        if let index = positions[name] { return index }
        if unknown { return 0 }
        throw StoreError.corrupt("table \(table) has no column \(name)")
    }

    /// Every column's name, in result order.
    var all: [String] { names }

    func name(at index: Int) -> String {
        names.indices.contains(index) ? names[index] : "column \(index)"
    }
}

/// The driver columns `physical_functions` and `interfaces` share.
struct DriverColumns {
    let driver, version, firmware, erom, busInfo: Int

    init(_ c: ColumnMap) throws {
        (driver, version, firmware, erom, busInfo) = (
            try c.at("driver"), try c.at("driver_version"), try c.at("firmware_version"), try c.at("erom_version"), try c.at("bus_info"))
    }
}

/// The positions of `pci_devices`' columns.
struct DeviceColumns {
    let address, vendorID, deviceID, subsystemVendorID, subsystemDeviceID, vendorName, deviceName, subsystemName: Int
    let classCode, className, revision, driver, driverOverride, numaNode, iommuGroup, parentBridges, pcieType: Int
    let linkCurrentSpeed, linkCurrentWidth, linkMaxSpeed, linkMaxWidth, hasLink, configSpaceSize, physfn, interfaces: Int
    let sriovOffset, sriovVFEnable, sriovVFMSE, sriovARI, sriovInitialVFs, sriovTotalVFs, sriovNumVFs, sriovFDL: Int
    let sriovFirstVFOffset, sriovVFStride, sriovVFDeviceID, sriovPageSizes, sriovSystemPageSize: Int
    let acsOffset, acsCapability, acsControl: Int

    init(_ c: ColumnMap) throws {
        address = try c.at("address"); vendorID = try c.at("vendor_id"); deviceID = try c.at("device_id")
        subsystemVendorID = try c.at("subsystem_vendor_id"); subsystemDeviceID = try c.at("subsystem_device_id")
        vendorName = try c.at("vendor_name"); deviceName = try c.at("device_name"); subsystemName = try c.at("subsystem_name")
        classCode = try c.at("class_code"); className = try c.at("class_name"); revision = try c.at("revision")
        driver = try c.at("driver"); driverOverride = try c.at("driver_override"); numaNode = try c.at("numa_node")
        iommuGroup = try c.at("iommu_group"); parentBridges = try c.at("parent_bridges"); pcieType = try c.at("pcie_type")
        linkCurrentSpeed = try c.at("link_current_speed"); linkCurrentWidth = try c.at("link_current_width")
        linkMaxSpeed = try c.at("link_max_speed"); linkMaxWidth = try c.at("link_max_width"); hasLink = try c.at("has_link")
        configSpaceSize = try c.at("config_space_size"); physfn = try c.at("physfn"); interfaces = try c.at("interfaces")
        sriovOffset = try c.at("sriov_cap_offset"); sriovVFEnable = try c.at("sriov_vf_enable"); sriovVFMSE = try c.at("sriov_vf_mse")
        sriovARI = try c.at("sriov_ari"); sriovInitialVFs = try c.at("sriov_initial_vfs"); sriovTotalVFs = try c.at("sriov_total_vfs")
        sriovNumVFs = try c.at("sriov_num_vfs"); sriovFDL = try c.at("sriov_fdl"); sriovFirstVFOffset = try c.at("sriov_first_vf_offset")
        sriovVFStride = try c.at("sriov_vf_stride"); sriovVFDeviceID = try c.at("sriov_vf_device_id")
        sriovPageSizes = try c.at("sriov_page_sizes"); sriovSystemPageSize = try c.at("sriov_system_page_size")
        acsOffset = try c.at("acs_offset"); acsCapability = try c.at("acs_capability"); acsControl = try c.at("acs_control")
    }
}

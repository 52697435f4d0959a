import Collector
import Foundation
import Inventory
import TestSupport
import XCTest

/// Every field the collector reads from a real-kernel capture, compared with what the kernel's own
/// tools printed in the same guest at the same moment (`cmd/`), and with sysfs read independently.
final class CaptureFidelityTests: XCTestCase {
    /// Each stage twice: as stored (symlinks flattened into files) and with real links restored.
    func testEveryQemuStageAgreesWithTheKernelsTools() throws {
        for stage in Fixtures.qemuStages {
            let snapshot = try Collector().collectCapture(at: stage.path)
            try FidelityCheck.assertAgrees(snapshot, tools: stage.path + "/cmd", capture: stage.path, name: "\(stage.capture)/\(stage.stage)")
            XCTAssertTrue(snapshot.warnings.contains { $0.message.contains("symlinks were stored as files") })

            let restored = try FixtureBuilder.withRealLinks(stage.path)
            defer { try? FileManager.default.removeItem(atPath: restored) }
            var linked = try Collector().collectCapture(at: restored)
            try FidelityCheck.assertAgrees(linked, tools: stage.path + "/cmd", capture: stage.path, name: "\(stage.capture)/\(stage.stage) (real links)")
            XCTAssertFalse(linked.warnings.contains { $0.message.contains("symlinks were stored as files") })
            // Both forms of the same capture give the same inventory.
            linked.collectedAt = snapshot.collectedAt
            linked.source = snapshot.source
            XCTAssertEqual(linked.pciDevices, snapshot.pciDevices)
            XCTAssertEqual(linked.physicalFunctions, snapshot.physicalFunctions)
            XCTAssertEqual(linked.interfaces, snapshot.interfaces)
            XCTAssertEqual(linked.iommuGroups, snapshot.iommuGroups)
        }
    }

    func testIgbAfterStageValues() throws {
        let snapshot = try Collector().collectCapture(at: Fixtures.path("qemu/igb-nvme-netdevsim/after"))
        XCTAssertEqual(snapshot.host.kernelRelease, "6.1.0-56-amd64")
        XCTAssertEqual(snapshot.host.hostname, "igb-nvme-netdevsim", "uname nodename is (none): the folder names the host")
        XCTAssertEqual(snapshot.pciDevices.count, 20)
        XCTAssertEqual(snapshot.iommuGroups.count, 18)
        XCTAssertEqual(snapshot.iommu.enabled, true)
        XCTAssertEqual(snapshot.iommu.commandLineOptions, ["intel_iommu=on", "iommu=pt"])

        let igb = try XCTUnwrap(snapshot.physicalFunctions.first { $0.address.description == "0000:04:00.0" })
        XCTAssertEqual(igb.totalVFs, 7)
        XCTAssertEqual(igb.numVFs, 3)
        XCTAssertEqual(igb.vfOffset, 128)
        XCTAssertEqual(igb.vfStride, 2)
        XCTAssertEqual(igb.vfDeviceID, "10ca")
        XCTAssertEqual(igb.interfaces, ["eth1"])
        XCTAssertEqual(igb.driverInfo?.driver, "igb")
        XCTAssertEqual(igb.driverInfo?.firmwareVersion, "2.1.0")
        XCTAssertEqual(igb.driverInfo?.version, "6.1.0-56-amd64")
        XCTAssertEqual(snapshot.device(igb.address)?.sriovCapability?.totalVFs, 8, "config space says 8, igb caps sysfs at 7")
        XCTAssertEqual(igb.virtualFunctions.map(\.address.description), ["0000:04:10.0", "0000:04:10.2", "0000:04:10.4"])
        XCTAssertEqual(igb.virtualFunctions.map(\.driver), ["igbvf", "igbvf", "vfio-pci"])

        let vf0 = igb.virtualFunctions[0], vf1 = igb.virtualFunctions[1], vf2 = igb.virtualFunctions[2]
        XCTAssertEqual(vf0.config?.mac, "02:00:00:00:10:01")
        XCTAssertEqual(vf0.effectiveMAC, "02:00:00:00:10:01")
        XCTAssertEqual(vf0.config?.vlan, 100)
        XCTAssertEqual(vf0.config?.spoofCheck, true)
        XCTAssertEqual(vf0.config?.trust, false)
        XCTAssertNil(vf0.config?.rssQuery, "igb does not report RSS query: not reported must stay nil")
        XCTAssertEqual(vf0.interfaces, ["eth2"])
        XCTAssertEqual(vf1.config?.mac, "ea:5c:c8:33:3b:64", "a trusted igbvf replaced its admin MAC")
        XCTAssertEqual(vf1.config?.vlan, 200)
        XCTAssertEqual(vf1.config?.qos, 3)
        XCTAssertEqual(vf1.config?.spoofCheck, false)
        XCTAssertEqual(vf1.config?.trust, true)
        XCTAssertEqual(vf2.config?.mac, "02:00:00:00:10:03")
        XCTAssertEqual(vf2.config?.maxTxRate, 100)
        XCTAssertEqual(vf2.config?.txRate, 100)
        XCTAssertNil(vf2.effectiveMAC, "a VF on vfio-pci has no netdev")
        XCTAssertEqual(vf2.iommuGroup, 17)

        let nvme = try XCTUnwrap(snapshot.physicalFunctions.first { $0.address.description == "0000:01:00.0" })
        XCTAssertEqual(nvme.totalVFs, 4)
        XCTAssertEqual(nvme.vfDeviceID, "0010")
        XCTAssertEqual(nvme.virtualFunctions.map(\.driver), ["nvme", "nvme", "vfio-pci", "vfio-pci"])
        XCTAssertNil(nvme.driverInfo)

        let netdevsim = try XCTUnwrap(snapshot.interface(named: "eth4"))
        XCTAssertEqual(netdevsim.parentBus, "netdevsim")
        XCTAssertEqual(netdevsim.vfs.count, 4)
        XCTAssertEqual(netdevsim.vfs[3].mac, "00:00:00:00:00:00")
        XCTAssertEqual(netdevsim.vfs[2].linkState, "disable")
        XCTAssertEqual(netdevsim.vfs[3].minTxRate, 100)
        XCTAssertEqual(netdevsim.vfs[0].rssQuery, false)
        XCTAssertEqual(netdevsim.driverInfo?.firmwareVersion, "10.20.30 ", "kept verbatim, trailing blank included")
    }

    func testBeforeStageHasNoVFs() throws {
        let snapshot = try Collector().collectCapture(at: Fixtures.path("qemu/igb-nvme-netdevsim/before"))
        let igb = try XCTUnwrap(snapshot.physicalFunctions.first { $0.address.description == "0000:04:00.0" })
        XCTAssertEqual(igb.numVFs, 0)
        XCTAssertEqual(igb.totalVFs, 7)
        XCTAssertTrue(igb.virtualFunctions.isEmpty)
        XCTAssertEqual(snapshot.virtualFunctions.count, 0)
    }
}

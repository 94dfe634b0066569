use super::*;

fn net(text: &str) -> IpNet {
    parse_host(text).unwrap_or_else(|| panic!("{text} parses"))
}

fn held(link_id: &str, kind: Option<AddressKind>, network: &str) -> Held {
    Held {
        link_id: link_id.into(),
        interface: Interface::ApiVpn,
        kind,
        network: net(network),
    }
}

#[test]
fn l_6_hosts_are_addresses_or_networks_with_host_bits_cleared() {
    assert_eq!(parse_host(" 192.0.2.7 "), Some(net("192.0.2.7/32")));
    assert_eq!(parse_host("192.0.2.7/24"), Some(net("192.0.2.0/24")));
    assert_eq!(parse_host("2001:db8::1"), Some(net("2001:db8::1/128")));
    assert_eq!(parse_host("192.0.2.300"), None);
    assert_eq!(parse_host("host.example"), None);
}

#[test]
fn l_6_networks_overlap_when_they_share_an_address() {
    let cases = [
        ("10.0.0.0/8", "10.1.2.3", true),
        ("10.1.2.3", "10.0.0.0/8", true),
        ("10.1.2.0/30", "10.1.2.0/30", true),
        ("10.1.2.0/30", "10.1.2.4/30", false),
        ("10.0.0.0/8", "11.0.0.0/8", false),
        ("10.0.0.0/8", "::a00:1/128", false),
    ];
    for (a, b, expected) in cases {
        assert_eq!(overlaps(&net(a), &net(b)), expected, "{a} ∩ {b}");
    }
}

#[test]
fn l_6_the_first_free_subnet_overlaps_nothing_taken() {
    let pool = Pool {
        network: net("172.20.0.0/28"),
        prefix: 30,
    };
    assert_eq!(first_free(pool, &[]), Some(net("172.20.0.0/30")));
    // A taken subnet, a host inside the next one, then a larger block over the next two.
    let taken = [net("172.20.0.0/30"), net("172.20.0.5")];
    assert_eq!(first_free(pool, &taken), Some(net("172.20.0.8/30")));
    let taken = [
        net("172.20.0.0/30"),
        net("172.20.0.4/30"),
        net("172.20.0.8/29"),
    ];
    assert_eq!(first_free(pool, &taken), None, "full");
    let servers = Pool {
        network: net("172.20.128.0/30"),
        prefix: 32,
    };
    assert_eq!(
        first_free(servers, &[net("172.20.128.0/31")]),
        Some(net("172.20.128.2"))
    );
}

#[test]
fn l_6_a_host_in_the_registry_network_names_the_range() {
    let config = LinkNetwork::default();
    let conflict = host_conflict(&net("10.201.3.4"), &config, &[]);
    assert_eq!(
        conflict,
        Some(Conflict::Registry {
            range: net("10.201.0.0/16")
        })
    );
    // A host network holding a whole range conflicts too.
    assert!(host_conflict(&net("10.0.0.0/8"), &config, &[]).is_some());
    assert_eq!(host_conflict(&net("192.0.2.10"), &config, &[]), None);
}

#[test]
fn l_6_a_host_over_another_cases_addresses_names_the_case_and_the_kind() {
    let config = LinkNetwork::default();
    let others = [
        held("L001", None, "192.0.2.0/28"),
        held("L002", Some(AddressKind::Server), "198.51.100.9"),
    ];
    let host = net("198.51.100.0/24");
    let conflict = host_conflict(&host, &config, &others).expect("conflict");
    assert_eq!(
        conflict,
        Conflict::Allocated {
            link_id: "L002".into(),
            interface: Interface::ApiVpn,
            kind: AddressKind::Server,
            network: net("198.51.100.9"),
        }
    );
    let error = AllocationError::Conflict { host, conflict };
    assert_eq!(
        error.message(Lang::ZhTw).as_deref(),
        Some(
            "申請機關主機網路位址 198.51.100.0/24 與案件 L002 之API Gateway 伺服器位址 198.51.100.9/32 衝突。請申請機關更換主機網路位址。"
        )
    );
    assert_eq!(
        error.message(Lang::English).as_deref(),
        Some(
            "The agency's host address 198.51.100.0/24 overlaps 198.51.100.9/32, the API Gateway server address of case L002. The agency must change its host address."
        )
    );
    let conflict = host_conflict(&net("192.0.2.3"), &config, &others);
    assert_eq!(
        conflict,
        Some(Conflict::Host {
            link_id: "L001".into(),
            host: net("192.0.2.0/28")
        })
    );
}

#[test]
fn l_6_the_server_is_an_api_gateway_on_api_cases_only() {
    for interface in Interface::ALL {
        let expected = if *interface == Interface::ApiVpn {
            "API Gateway 伺服器"
        } else {
            "連結介面伺服器"
        };
        assert_eq!(AddressKind::Server.name(*interface, Lang::ZhTw), expected);
        assert_eq!(AddressKind::Device.name(*interface, Lang::ZhTw), "通訊設備");
    }
}

#[test]
fn l_6_a_full_pool_and_a_database_fault_are_told_apart() {
    let full = AllocationError::PoolFull {
        kind: AddressKind::Gateway,
        pool: net("172.20.64.0/18"),
    };
    assert!(matches!(
        PortalError::from(full),
        PortalError::Refused { zh_tw, .. } if zh_tw.contains("安全閘道器位址池 172.20.64.0/18")
    ));
    let fault = AllocationError::Database(sqlx::Error::RowNotFound);
    assert_eq!(fault.message(Lang::English), None);
}

#[test]
fn l_6_the_default_network_is_valid_and_bad_settings_are_named() {
    let config = LinkNetwork::default();
    assert_eq!(config.pool(AddressKind::Gateway).prefix, 29);
    assert_eq!(config.registry().len(), 2);
    let refused = |registry: &str, device: (&str, u8)| {
        LinkNetwork::parse(
            registry,
            device,
            ("172.20.64.0/18", 29),
            ("172.20.128.0/20", 32),
        )
        .unwrap_err()
        .setting
    };
    assert_eq!(refused("", ("172.20.0.0/18", 30)), NetworkSetting::Registry);
    assert_eq!(
        refused("10.0.0.0/33", ("172.20.0.0/18", 30)),
        NetworkSetting::Registry
    );
    assert_eq!(
        refused("10.0.0.0/8", ("172.20.0.0/31", 30)),
        NetworkSetting::Prefix(AddressKind::Device),
        "a /31 pool cannot hold /30 subnets"
    );
    assert_eq!(
        refused("10.0.0.0/8", ("172.20.0.0/18/30", 30)),
        NetworkSetting::Pool(AddressKind::Device)
    );
    assert_eq!(
        refused("10.0.0.0/8", ("172.20.0.0/18", 16)),
        NetworkSetting::Prefix(AddressKind::Device)
    );
    assert_eq!(
        refused("10.0.0.0/8", ("10.9.0.0/18", 30)),
        NetworkSetting::Pool(AddressKind::Device)
    );
    let error = LinkNetwork::parse(
        "10.0.0.0/8",
        ("172.20.0.0/16", 30),
        ("172.20.64.0/18", 29),
        ("172.21.0.0/20", 32),
    )
    .unwrap_err();
    assert_eq!(error.setting, NetworkSetting::Pool(AddressKind::Gateway));
    assert_eq!(
        error.reason,
        "the gateway pool 172.20.64.0/18 overlaps the device pool 172.20.0.0/16"
    );
}

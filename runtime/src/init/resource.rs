//! The resource: who emits the spans. Detected values first, then the user's
//! `OTEL_RESOURCE_ATTRIBUTES`, then `OTEL_SERVICE_NAME`, each overriding the one before.

use opentelemetry::{KeyValue, Value};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::resource::TelemetryResourceDetector;

use super::config::Config;

/// What the calling crate says about itself (filled by [`crate::init!`] from its Cargo
/// package), used when the environment does not say otherwise.
#[derive(Debug, Clone, Default)]
pub struct ServiceDefaults {
    /// `service.name` when `OTEL_SERVICE_NAME` does not give one.
    pub name: Option<String>,
    /// `service.version`.
    pub version: Option<String>,
    /// `vcs.ref.head.revision` known at build time.
    pub revision: Option<String>,
}

/// The registry defines no attribute for a deployment's variant (canary, baseline): ours.
pub(crate) const DEPLOYMENT_VARIANT: &str = "traced.deployment.variant";

/// Builds the resource from `config`, `defaults` and the environment read through `env`;
/// `read_file` reads the Kubernetes service-account namespace file.
pub(crate) fn build(
    config: &Config,
    defaults: &ServiceDefaults,
    env: &dyn Fn(&str) -> Option<String>,
    read_file: &dyn Fn(&str) -> Option<String>,
) -> Resource {
    let var = |name: &str| {
        env(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let mut attributes: Vec<KeyValue> = Vec::new();
    let mut set = |key: &'static str, value: Value| {
        attributes.retain(|kv| kv.key.as_str() != key);
        attributes.push(KeyValue::new(key, value));
    };

    set(
        "service.name",
        defaults
            .name
            .clone()
            .unwrap_or_else(|| "unknown_service".to_owned())
            .into(),
    );
    if let Some(version) = &defaults.version {
        set("service.version", version.clone().into());
    }
    set("service.instance.id", instance_id().into());
    if let Some(host) = read_file("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .or_else(|| var("HOSTNAME"))
    {
        set("host.name", host.into());
    }
    set("process.pid", Value::I64(i64::from(std::process::id())));
    if let Some(environment) = var("TRACED_DEPLOYMENT_ENVIRONMENT") {
        set("deployment.environment.name", environment.into());
    }
    if let Some(variant) = var("TRACED_DEPLOYMENT_VARIANT") {
        set(DEPLOYMENT_VARIANT, variant.into());
    }
    if let Some(revision) = var("TRACED_GIT_REVISION").or_else(|| defaults.revision.clone()) {
        set("vcs.ref.head.revision", revision.into());
    }
    // Kubernetes sets KUBERNETES_SERVICE_HOST in every pod; a plain HOSTNAME proves nothing.
    if var("KUBERNETES_SERVICE_HOST").is_some() {
        let first = |names: &[&str]| names.iter().find_map(|name| var(name));
        if let Some(pod) = first(&["K8S_POD_NAME", "POD_NAME", "HOSTNAME"]) {
            set("k8s.pod.name", pod.into());
        }
        if let Some(namespace) = first(&["K8S_NAMESPACE_NAME", "POD_NAMESPACE"]).or_else(|| {
            read_file("/var/run/secrets/kubernetes.io/serviceaccount/namespace")
                .map(|n| n.trim().to_owned())
                .filter(|n| !n.is_empty())
        }) {
            set("k8s.namespace.name", namespace.into());
        }
        if let Some(node) = first(&["K8S_NODE_NAME", "NODE_NAME"]) {
            set("k8s.node.name", node.into());
        }
        if let Some(uid) = first(&["K8S_POD_UID", "POD_UID"]) {
            set("k8s.pod.uid", uid.into());
        }
    }
    for (key, value) in &config.resource_attributes {
        attributes.retain(|kv| kv.key.as_str() != key);
        attributes.push(KeyValue::new(key.clone(), value.clone()));
    }
    if let Some(name) = &config.service_name {
        attributes.retain(|kv| kv.key.as_str() != "service.name");
        attributes.push(KeyValue::new("service.name", name.clone()));
    }
    Resource::builder_empty()
        .with_detector(Box::new(TelemetryResourceDetector))
        .with_attributes(attributes)
        .build()
}

/// A random UUID (version 4) for `service.instance.id`.
fn instance_id() -> String {
    use opentelemetry_sdk::trace::{IdGenerator as _, RandomIdGenerator};
    let bits = u128::from_be_bytes(RandomIdGenerator::default().new_trace_id().to_bytes());
    let bits = (bits & !(0xf << 76)) | (0x4 << 76); // version 4
    let bits = (bits & !(0x3 << 62)) | (0x2 << 62); // RFC 4122 variant
    let hex = format!("{bits:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn resource(vars: &[(&str, &str)], files: &[(&str, &str)]) -> HashMap<String, Value> {
        let env: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect();
        let files: HashMap<String, String> = files
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect();
        let (config, errors) = Config::from_source(|n| env.get(n).cloned());
        assert!(errors.is_empty());
        let defaults = ServiceDefaults {
            name: Some("orders".into()),
            version: Some("1.2.3".into()),
            revision: Some("abc123".into()),
        };
        build(&config, &defaults, &|n| env.get(n).cloned(), &|p| {
            files.get(p).cloned()
        })
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
    }

    #[test]
    fn defaults_come_from_the_package_and_the_host() {
        let r = resource(&[("HOSTNAME", "box")], &[]);
        assert_eq!(r["service.name"], "orders".into());
        assert_eq!(r["service.version"], "1.2.3".into());
        assert_eq!(r["vcs.ref.head.revision"], "abc123".into());
        assert_eq!(r["host.name"], "box".into());
        assert_eq!(r["process.pid"], Value::I64(i64::from(std::process::id())));
        let id = r["service.instance.id"].as_str().into_owned();
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        assert!(r.contains_key("telemetry.sdk.name"));
        assert!(
            !r.keys().any(|k| k.starts_with("k8s.")),
            "not in Kubernetes: {r:?}"
        );
    }

    #[test]
    fn the_environment_overrides_in_order() {
        let r = resource(
            &[
                (
                    "OTEL_RESOURCE_ATTRIBUTES",
                    "service.name=from-attrs,service.version=9",
                ),
                ("OTEL_SERVICE_NAME", "from-name"),
                ("TRACED_DEPLOYMENT_ENVIRONMENT", "staging"),
                ("TRACED_DEPLOYMENT_VARIANT", "canary"),
                ("TRACED_GIT_REVISION", "def456"),
            ],
            &[],
        );
        assert_eq!(r["service.name"], "from-name".into());
        assert_eq!(r["service.version"], "9".into());
        assert_eq!(r["deployment.environment.name"], "staging".into());
        assert_eq!(r[DEPLOYMENT_VARIANT], "canary".into());
        assert_eq!(r["vcs.ref.head.revision"], "def456".into());
    }

    #[test]
    fn kubernetes_attributes_only_in_kubernetes() {
        let vars = [
            ("HOSTNAME", "orders-7d9f-abcde"),
            ("POD_NAMESPACE", "shop"),
            ("NODE_NAME", "node-1"),
            ("POD_UID", "0f1e2d3c-0000-4000-8000-000000000000"),
        ];
        let outside = resource(&vars, &[]);
        assert!(
            !outside.keys().any(|k| k.starts_with("k8s.")),
            "{outside:?}"
        );

        let mut inside_vars = vars.to_vec();
        inside_vars.push(("KUBERNETES_SERVICE_HOST", "10.0.0.1"));
        let inside = resource(&inside_vars, &[]);
        assert_eq!(inside["k8s.pod.name"], "orders-7d9f-abcde".into());
        assert_eq!(inside["k8s.namespace.name"], "shop".into());
        assert_eq!(inside["k8s.node.name"], "node-1".into());
        assert_eq!(
            inside["k8s.pod.uid"],
            "0f1e2d3c-0000-4000-8000-000000000000".into()
        );

        let from_file = resource(
            &[("KUBERNETES_SERVICE_HOST", "10.0.0.1"), ("HOSTNAME", "p")],
            &[(
                "/var/run/secrets/kubernetes.io/serviceaccount/namespace",
                "ns-from-file\n",
            )],
        );
        assert_eq!(from_file["k8s.namespace.name"], "ns-from-file".into());
    }
}

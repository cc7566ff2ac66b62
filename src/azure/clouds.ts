// The Azure clouds the tool knows: their ARM and Log Analytics endpoints, token audiences and sign-in authority, and
// the DNS suffixes of their Key Vault and Managed HSM data planes.

export const CLOUD_NAMES = ["AzureCloud", "AzureUSGovernment", "AzureChinaCloud"] as const;
export type CloudName = (typeof CLOUD_NAMES)[number];

export interface Cloud {
  name: CloudName;
  armEndpoint: string;
  armAudience: string;
  logsEndpoint: string;
  logsAudience: string;
  authorityHost: string;
  /** The host suffix of a key vault's data plane: `https://<vault>.<suffix>`. */
  keyVaultDnsSuffix: string;
  /** The host suffix of a Managed HSM's data plane: `https://<hsm>.<suffix>`. */
  managedHsmDnsSuffix: string;
}

export const CLOUDS: Record<CloudName, Cloud> = {
  AzureCloud: {
    name: "AzureCloud",
    armEndpoint: "https://management.azure.com",
    armAudience: "https://management.azure.com",
    logsEndpoint: "https://api.loganalytics.io",
    logsAudience: "https://api.loganalytics.io",
    authorityHost: "https://login.microsoftonline.com",
    keyVaultDnsSuffix: "vault.azure.net",
    managedHsmDnsSuffix: "managedhsm.azure.net",
  },
  AzureUSGovernment: {
    name: "AzureUSGovernment",
    armEndpoint: "https://management.usgovcloudapi.net",
    armAudience: "https://management.usgovcloudapi.net",
    logsEndpoint: "https://api.loganalytics.us",
    logsAudience: "https://api.loganalytics.us",
    authorityHost: "https://login.microsoftonline.us",
    keyVaultDnsSuffix: "vault.usgovcloudapi.net",
    managedHsmDnsSuffix: "managedhsm.usgovcloudapi.net",
  },
  AzureChinaCloud: {
    name: "AzureChinaCloud",
    armEndpoint: "https://management.chinacloudapi.cn",
    armAudience: "https://management.chinacloudapi.cn",
    logsEndpoint: "https://api.loganalytics.azure.cn",
    logsAudience: "https://api.loganalytics.azure.cn",
    authorityHost: "https://login.chinacloudapi.cn",
    keyVaultDnsSuffix: "vault.azure.cn",
    managedHsmDnsSuffix: "managedhsm.azure.cn",
  },
};

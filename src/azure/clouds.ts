// The Azure clouds the tool knows: their ARM and Log Analytics endpoints, token audiences and sign-in authority.

export const CLOUD_NAMES = ["AzureCloud", "AzureUSGovernment", "AzureChinaCloud"] as const;
export type CloudName = (typeof CLOUD_NAMES)[number];

export interface Cloud {
  name: CloudName;
  armEndpoint: string;
  armAudience: string;
  logsEndpoint: string;
  logsAudience: string;
  authorityHost: string;
}

export const CLOUDS: Record<CloudName, Cloud> = {
  AzureCloud: {
    name: "AzureCloud",
    armEndpoint: "https://management.azure.com",
    armAudience: "https://management.azure.com",
    logsEndpoint: "https://api.loganalytics.io",
    logsAudience: "https://api.loganalytics.io",
    authorityHost: "https://login.microsoftonline.com",
  },
  AzureUSGovernment: {
    name: "AzureUSGovernment",
    armEndpoint: "https://management.usgovcloudapi.net",
    armAudience: "https://management.usgovcloudapi.net",
    logsEndpoint: "https://api.loganalytics.us",
    logsAudience: "https://api.loganalytics.us",
    authorityHost: "https://login.microsoftonline.us",
  },
  AzureChinaCloud: {
    name: "AzureChinaCloud",
    armEndpoint: "https://management.chinacloudapi.cn",
    armAudience: "https://management.chinacloudapi.cn",
    logsEndpoint: "https://api.loganalytics.azure.cn",
    logsAudience: "https://api.loganalytics.azure.cn",
    authorityHost: "https://login.chinacloudapi.cn",
  },
};

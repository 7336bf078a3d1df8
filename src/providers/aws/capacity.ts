/**
 * The DR quota of an EKS node group: the vCPUs of its instance type (EC2 DescribeInstanceTypes,
 * `vCpuInfo.defaultVCpus`) and the region's EC2 On-Demand vCPU quota of that instance family
 * (Service Quotas GetServiceQuota). On-Demand quotas are counted in vCPUs per family group
 * (https://docs.aws.amazon.com/ec2/latest/instancetypes/ec2-instance-quotas.html); GetServiceQuota
 * gives the applied limit, not the usage, which is the CloudWatch metric AWS/Usage ResourceCount
 * the quota's UsageMetric names
 * (https://docs.aws.amazon.com/servicequotas/2019-06-24/apireference/API_GetServiceQuota.html).
 * Reading that metric is out of scope here: the check compares the whole production size with the
 * limit and says that usage was not counted.
 */
import { aws, type ProviderPermissions } from '../../permissions/types.js';
import { DescribeInstanceTypesCommand, EC2Client, type _InstanceType } from '@aws-sdk/client-ec2';
import { GetServiceQuotaCommand, ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { UserError, wrapSdkError } from '../../engine/errors.js';
import type { PoolCapacity } from '../types.js';
import { clientConfig, deadlineBound, type AwsProviderOptions } from './common.js';

/** EC2 On-Demand quota codes by instance family prefix (the letters before the generation digit). */
const FAMILY_QUOTAS: { prefixes: string[]; code: string; name: string }[] = [
  {
    prefixes: ['a', 'c', 'd', 'h', 'i', 'm', 'r', 't', 'z'],
    code: 'L-1216C47A',
    name: 'Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances',
  },
  { prefixes: ['f'], code: 'L-74FC7D96', name: 'Running On-Demand F instances' },
  { prefixes: ['g', 'vt'], code: 'L-DB2E81BA', name: 'Running On-Demand G and VT instances' },
  { prefixes: ['p'], code: 'L-417A185B', name: 'Running On-Demand P instances' },
  { prefixes: ['x'], code: 'L-7295265B', name: 'Running On-Demand X instances' },
  { prefixes: ['inf'], code: 'L-1945791B', name: 'Running On-Demand Inf instances' },
  { prefixes: ['dl'], code: 'L-6E869C2A', name: 'Running On-Demand DL instances' },
  { prefixes: ['trn'], code: 'L-2C3B7624', name: 'Running On-Demand Trn instances' },
  { prefixes: ['u'], code: 'L-43DA4232', name: 'Running On-Demand High Memory instances' },
];

/** The On-Demand quota of an instance type's family (`m6i.xlarge` -> L-1216C47A). */
export function familyQuota(instanceType: string): { code: string; name: string } | undefined {
  const prefix = /^([a-z]+?)(?=\d)/.exec(instanceType.toLowerCase())?.[1] ?? '';
  const exact = FAMILY_QUOTAS.find((f) => f.prefixes.includes(prefix));
  return exact ?? FAMILY_QUOTAS.find((f) => f.prefixes.includes(prefix.slice(0, 1)) && prefix.length <= 2);
}

/** The DR quota's reads: the vCPUs of the instance type, and the family's On-Demand vCPU quota ("*": neither takes a resource). */
export const PERMISSIONS = {
  read: [aws('ec2', 'DescribeInstanceTypes'), aws('servicequotas', 'GetServiceQuota')],
} satisfies ProviderPermissions;

/** Clients of one region for the capacity reads. */
export class AwsCapacity {
  private readonly ec2: EC2Client;
  private readonly quotas: ServiceQuotasClient;

  constructor(
    private readonly region: string,
    endpoints: { ec2?: string; servicequotas?: string },
    opts: AwsProviderOptions = {},
  ) {
    this.ec2 = deadlineBound(new EC2Client(clientConfig(region, endpoints.ec2, opts)));
    this.quotas = deadlineBound(new ServiceQuotasClient(clientConfig(region, endpoints.servicequotas, opts)));
  }

  /** The quota view of `instanceType` in this region. */
  async read(instanceType: string): Promise<PoolCapacity> {
    const family = familyQuota(instanceType);
    if (!family)
      throw new UserError(
        `the node group's instance type ${instanceType} belongs to no EC2 On-Demand quota the DR quota check knows: check its quota in the Service Quotas console of ${this.region}.`,
      );
    let vcpus: number | undefined;
    try {
      const out = await this.ec2.send(
        new DescribeInstanceTypesCommand({ InstanceTypes: [instanceType as _InstanceType] }),
      );
      vcpus = out.InstanceTypes?.[0]?.VCpuInfo?.DefaultVCpus;
    } catch (err) {
      throw wrapSdkError(
        'ec2',
        'DescribeInstanceTypes',
        err,
        `instance type ${instanceType} in ${this.region}`,
      );
    }
    if (!vcpus)
      throw new UserError(
        `EC2 DescribeInstanceTypes in ${this.region} gave no vCPU count for ${instanceType}: check the node group's instance type.`,
      );
    let limit: number | undefined;
    try {
      const out = await this.quotas.send(
        new GetServiceQuotaCommand({ ServiceCode: 'ec2', QuotaCode: family.code }),
      );
      limit = out.Quota?.Value;
    } catch (err) {
      throw wrapSdkError(
        'servicequotas',
        'GetServiceQuota',
        err,
        `quota ec2/${family.code} in ${this.region}`,
      );
    }
    return {
      region: this.region,
      machineType: instanceType,
      vcpusPerNode: vcpus,
      quotas: [{ name: `${family.name} (${family.code})`, limit: limit ?? 0 }],
      note: 'usage not counted: Service Quotas gives the limit, the usage is a CloudWatch metric this check does not read',
    };
  }
}

import { buildBusyboxRootfs } from '@kc/container';
buildBusyboxRootfs(process.argv[2]!);

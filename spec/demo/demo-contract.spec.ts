import { demoHarness } from '../helpers/demo-harness';
import { describeDemoContract } from './demo-contract-behaviour';

describeDemoContract('embedded default: in-memory users and revocation', () => demoHarness());

// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Fn::Sub strings use CloudFormation's ${...} syntax.
import { describe, expect, it } from 'vitest';
import { pseudoParameters } from '../../../../local/core/template/identities.js';
import { IntrinsicError, IntrinsicResolver, type LocalIdentity } from '../../../../local/core/template/intrinsics.js';
import { queueUrlOf, STACK, template } from './fixtures.js';

const identities = new Map<string, LocalIdentity>([
  [
    'Orders',
    {
      ref: queueUrlOf('orders'),
      emulated: true,
      attributes: { Arn: 'arn:aws:sqs:eu-west-1:000000000000:orders', QueueName: 'orders' },
    },
  ],
  ['Alerts', { ref: 'arn:aws:sns:eu-west-1:000000000000:alerts', emulated: false, attributes: {} }],
]);

function resolver(parameters?: Record<string, { Default?: unknown }>) {
  return new IntrinsicResolver(
    template({}, parameters),
    identities,
    pseudoParameters({ ...STACK, queueUrl: queueUrlOf }),
  );
}

describe('resolving intrinsics', () => {
  it.each([
    { name: 'Ref to a resource', value: { Ref: 'Orders' }, expected: queueUrlOf('orders') },
    { name: 'Ref to a pseudo parameter', value: { Ref: 'AWS::AccountId' }, expected: '000000000000' },
    {
      name: 'Ref to AWS::StackId',
      value: { Ref: 'AWS::StackId' },
      expected: 'arn:aws:cloudformation:eu-west-1:000000000000:stack/Shop/local',
    },
    { name: 'Fn::GetAtt as a list', value: { 'Fn::GetAtt': ['Orders', 'QueueName'] }, expected: 'orders' },
    {
      name: 'Fn::GetAtt as a dotted string',
      value: { 'Fn::GetAtt': 'Orders.Arn' },
      expected: 'arn:aws:sqs:eu-west-1:000000000000:orders',
    },
    { name: 'Fn::Join', value: { 'Fn::Join': ['-', ['a', { Ref: 'AWS::Region' }, 'b']] }, expected: 'a-eu-west-1-b' },
    { name: 'Fn::Select', value: { 'Fn::Select': [1, ['a', 'b', 'c']] }, expected: 'b' },
    { name: 'Fn::Split', value: { 'Fn::Split': [',', 'a,b'] }, expected: ['a', 'b'] },
    { name: 'Fn::Base64', value: { 'Fn::Base64': 'hi' }, expected: 'aGk=' },
    {
      name: 'Fn::Sub with attributes and pseudo parameters',
      value: { 'Fn::Sub': '${Orders.QueueName}@${AWS::Region}' },
      expected: 'orders@eu-west-1',
    },
    {
      name: 'Fn::Sub with its own variables',
      value: { 'Fn::Sub': ['${Name}!', { Name: { 'Fn::GetAtt': ['Orders', 'QueueName'] } }] },
      expected: 'orders!',
    },
    {
      name: 'nested objects and lists',
      value: { a: [{ Ref: 'AWS::Partition' }], b: { c: { Ref: 'AWS::URLSuffix' } } },
      expected: { a: ['aws'], b: { c: 'amazonaws.com' } },
    },
  ])('resolves $name', ({ value, expected }) => {
    // Act
    const resolved = resolver().resolve(value);
    // Assess
    expect(resolved).toEqual(expected);
  });
});

describe('resolving intrinsics: parameters and placeholders', () => {
  it("resolves a Ref to a parameter to the parameter's default", () => {
    // Act
    const resolved = resolver({ Stage: { Default: 'v1' } }).resolve({ Ref: 'Stage' });
    // Assess
    expect(resolved).toBe('v1');
  });

  it('records the resources that are not emulated a value referred to', () => {
    // Prepare
    const r = resolver();
    // Act
    r.resolve({ 'Fn::Join': [',', [{ Ref: 'Alerts' }, { Ref: 'Orders' }]] });
    // Assess
    expect([...r.placeholders]).toEqual(['Alerts']);
  });

  it.each([
    { value: { Ref: 'Nowhere' }, message: 'Ref to "Nowhere", which the template does not declare.' },
    {
      value: { 'Fn::GetAtt': ['Nowhere', 'Arn'] },
      message: 'Fn::GetAtt of "Nowhere", which the template does not declare.',
    },
    {
      value: { 'Fn::GetAtt': ['Orders', 'Nothing'] },
      message: 'Fn::GetAtt Orders.Nothing is not known to the local runtime.',
    },
    { value: { 'Fn::Sub': '${Nowhere}' }, message: 'Ref to "Nowhere", which the template does not declare.' },
    { value: { 'Fn::ImportValue': 'x' }, message: 'Fn::ImportValue is not supported by the local runtime.' },
    { value: { 'Fn::If': ['c', 'a', 'b'] }, message: 'Fn::If is not supported by the local runtime.' },
    { value: { 'Fn::FindInMap': ['m', 'k', 'v'] }, message: 'Fn::FindInMap is not supported by the local runtime.' },
  ])('refuses $value with an IntrinsicError that says why', ({ value, message }) => {
    // Act
    const resolve = () => resolver().resolve(value);
    // Assess
    expect(resolve).toThrow(IntrinsicError);
    expect(resolve).toThrow(message);
  });
});

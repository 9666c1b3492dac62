/**
 * Two tabs of the app (issue 7 §2): the second one sees that the first owns the data, shows what the first is
 * doing, refuses to write, and takes over when the first closes.
 */
import { expect, test } from '@playwright/test';
import { expectNotice, openApp, shot, waitIdle } from './helpers.ts';

test('a second tab only reads, shows the first tab’s work, and takes over when it closes', async ({ page, context }) => {
  test.setTimeout(400_000);
  await openApp(page);
  const second = await context.newPage();
  await openApp(second);
  await expect(second.getByTestId('other-tab')).toContainText('nothing is running there');
  await expect(page.getByTestId('other-tab')).toHaveCount(0);

  // The first tab works; the second says what on.
  await page.getByText('Import settings').click();
  await page.locator('#ph-size').fill('32');
  await page.locator('#ph-count').fill('3000');
  await page.getByRole('button', { name: 'Generate', exact: true }).click();
  await expect(second.getByTestId('other-tab')).toContainText('Generating 3000 phantoms', { timeout: 60_000 });
  await shot(second, '70-second-tab');

  // Writing from the second tab is refused with the reason; nothing is imported there.
  await second.getByRole('button', { name: 'Add the phantom demo set' }).click();
  await expectNotice(second, /Another tab of this app is open and owns the stored data/);
  await waitIdle(page);

  await page.close();
  await expect(second.getByTestId('other-tab')).toHaveCount(0, { timeout: 60_000 });
  await expectNotice(second, /this tab now owns the data/);
  await second.getByRole('button', { name: 'Add the phantom demo set' }).click();
  await waitIdle(second);
  await expectNotice(second, /Imported "Phantom ultrasound \(demo\)"/);
  // Three sets: the first tab's demo, its 3000 phantoms, and the second tab's demo after taking over.
  await expect(second.getByTestId('dataset-list').locator('li')).toHaveCount(3);
});

/** Attribution and licence notes shown when a well-known dataset is imported (from each dataset's terms). */
import type { Attribution } from '../types.ts';

export const ATTRIBUTIONS: Record<'medmnist' | 'isic' | 'kvasir', Attribution> = {
  medmnist: {
    dataset: 'MedMNIST v2',
    licence: 'CC BY 4.0 (this subset; source datasets keep their own terms)',
    cite: 'Yang et al., "MedMNIST v2", Scientific Data 2023; BreastMNIST comes from BUSI, Al-Dhabyani et al., Data in Brief 2020.',
  },
  isic: {
    dataset: 'ISIC 2018 Task 1 (lesion boundary segmentation)',
    licence: 'CC BY-NC 4.0: non-commercial use, with attribution wherever shown',
    cite: 'Codella et al. 2019 (arXiv:1902.03368); Tschandl et al., "The HAM10000 dataset", Scientific Data 2018.',
  },
  kvasir: {
    dataset: 'Kvasir-SEG',
    licence: 'Research and education only; commercial use needs permission',
    cite: 'Jha et al., "Kvasir-SEG: A Segmented Polyp Dataset", MMM 2020.',
  },
};

